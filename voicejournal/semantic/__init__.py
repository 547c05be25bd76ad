"""Meaning: sentence embeddings computed on this machine (all-MiniLM-L6-v2, int8 ONNX), never a network."""
