"""Files: the one write path (atomic, encrypted when the journal is), storage, the search index, backups."""
