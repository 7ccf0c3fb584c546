"""The LLM engine: client, prompts, structured replies and the fact guard."""
