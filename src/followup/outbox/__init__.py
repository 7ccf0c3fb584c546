"""Drafts onto disk: the outbox folder (files, journal, index), .eml and WhatsApp
messages, and the batch run (with its worker processes)."""
