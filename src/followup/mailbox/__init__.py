"""The reps' mailboxes over IMAP: drafts pushed into each rep's Drafts folder (`push`)."""
