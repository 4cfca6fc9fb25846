"""The flow's stages: each a Bytewax composite operator with its own collaborators."""
