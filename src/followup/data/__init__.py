"""Files in, checked tables out: readers, column aliases, parsing, loading, company facts."""
