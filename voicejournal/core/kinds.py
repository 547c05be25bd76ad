"""The kinds an entry can have: a constant of its own, so that the command line's options can offer them
without loading the entry model (core/entry.py) on every command."""

KINDS = ("reflection", "homework", "journal", "question")
