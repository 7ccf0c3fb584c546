"""The reorder plan (返单计划表): expected orders next year, contact-by dates, exports."""
