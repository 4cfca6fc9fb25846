"""The wire contracts of CONTRACTS.md as pydantic v2 models: what comes in, what goes out."""
