"""Pure logic: records, dates, words, the brief. No files, no terminal, no model."""
