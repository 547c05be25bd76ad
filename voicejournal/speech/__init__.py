"""Speech: audio decoding and encoding, WAV streaming, the recorder and chunker, transcription, models."""
