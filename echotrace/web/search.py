"""Full-text search over the store's articles with tantivy (in memory, built when the app starts).

Measured here: tantivy indexes 20k docs in ~1 s and answers in ~0.2 ms; DuckDB's own FTS
extension cannot be installed offline. The index is rebuilt when the store's article count
changes, so the app follows a run that is still adding documents.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import tantivy

from echotrace.queries import Connection

_SNIPPET_CHARS = 240


@dataclass(slots=True)
class Hit:
    doc_id: str
    score: float


class ArticleSearch:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._n_docs = -1

    def refresh(self, con: Connection) -> None:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
        n_docs = int(row[0]) if row else 0
        with self._lock:
            if n_docs == self._n_docs and self._index is not None:
                return
            self._index = self._build(con)
            self._n_docs = n_docs

    @staticmethod
    def _build(con: Connection) -> tantivy.Index:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=False)
        builder.add_text_field("text", stored=False)
        index = tantivy.Index(builder.build())
        writer = index.writer(heap_size=100_000_000, num_threads=1)
        cur = con.execute("SELECT doc_id, coalesce(title, ''), text FROM articles")
        while chunk := cur.fetchmany(2000):
            for doc_id, title, text in chunk:
                writer.add_document(tantivy.Document(doc_id=doc_id, title=title, text=text))
        writer.commit()
        index.reload()
        return index

    def search(self, query: str, limit: int = 1000) -> list[Hit]:
        """Ranked hits; malformed query syntax is read leniently, never an error."""
        with self._lock:
            index = self._index
        if index is None or not query.strip():
            return []
        parsed, _errors = index.parse_query_lenient(query, ["title", "text"])
        searcher = index.searcher()
        result = searcher.search(parsed, limit)
        return [Hit(doc_id=searcher.doc(address)["doc_id"][0], score=float(score))
                for score, address in result.hits]


def snippet(text: str, query: str) -> str:
    """A window of text around the first query word found (plain text; the template escapes it)."""
    lowered = text.lower()
    for word in query.lower().split():
        word = word.strip('"+-()*:')
        pos = lowered.find(word) if word else -1
        if pos >= 0:
            start = max(0, pos - _SNIPPET_CHARS // 3)
            return ("…" if start else "") + text[start : start + _SNIPPET_CHARS] + "…"
    return text[:_SNIPPET_CHARS] + ("…" if len(text) > _SNIPPET_CHARS else "")
