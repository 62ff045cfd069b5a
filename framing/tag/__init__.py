"""Stage 3's rule tagger: codebook patterns -> hits and frame labels."""
