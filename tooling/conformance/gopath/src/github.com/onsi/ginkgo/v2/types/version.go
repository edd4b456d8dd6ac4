package types

const VERSION = "2.11.0"
