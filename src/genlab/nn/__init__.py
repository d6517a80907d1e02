"""Shared pieces of the neural families: output heads and distributions per column
(:mod:`.heads`), dequantization (:mod:`.dequantize`), context embeddings of conditions
(:mod:`.context`), sampling helpers (:mod:`.sampling`) and latent paths (:mod:`.interpolation`)."""
