"""The contact history: what followup wrote to each buyer, across outboxes and months."""
