"""hedui (核对) for Python: the engine's stages (`hedui._native`, Rust) and
the Spark job (`python -m hedui.spark run ...`)."""
