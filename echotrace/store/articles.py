"""The stored corpus as the corpus stages read it: metadata in memory, texts in a file on disk.

The corpus stages pass over every article several times (fingerprints, sentence profiles,
stories, narratives), but each pass needs a text only briefly. Held in memory, the texts and
their paragraph records were ~13 KB per generated article (1.3 GB at 100k documents), the part
of the links stage's memory that grew with the corpus. Here each text sits in a temporary file
beside the store and is read back with one `pread` when a stage asks for its article, so memory
grows with the corpus's metadata and indexes, not with its texts.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, overload

from echotrace.records import Article, Paragraph

# Articles built last, by index: a pair loop asks for the same article many times in a row.
_RECENT = 64
# Article's fields in order; an article is rebuilt from a tuple of them (dataclasses.replace took
# ~9 µs an article, most of the cost of reading one back).
_FIELDS = tuple(field.name for field in dataclasses.fields(Article))
_TEXT, _PARAGRAPHS = _FIELDS.index("text"), _FIELDS.index("paragraphs")


class StoredArticles(Sequence[Article]):
    """Articles in the order they were appended (the store's doc_id order); `self[i]` is built
    from the article's other fields, its text read from the file and its paragraphs from flat
    arrays. Use as a context manager: the file is deleted on close (and by the OS if the
    process dies, as it is never linked into the folder)."""

    def __init__(self, folder: Path) -> None:
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".echotrace-texts-")  # noqa: SIM115 - closed by close()
        self._fields: list[tuple[Any, ...]] = []  # per article, its fields but text and paragraphs
        self._text_at = array("q", [0])  # byte offsets: text i is [_text_at[i], _text_at[i + 1])
        self._paragraphs_at = array("q", [0])
        self._paragraph_idx = array("l")
        self._paragraph_start = array("q")
        self._paragraph_end = array("q")
        self._paragraph_lang = array("H")
        self._langs: list[str] = []
        self._lang_code: dict[str, int] = {}
        self._recent: OrderedDict[int, Article] = OrderedDict()
        self._unflushed = False

    def append(self, article: Article) -> None:
        data = article.text.encode("utf-8", "surrogatepass")
        self._file.write(data)
        self._unflushed = True
        self._text_at.append(self._text_at[-1] + len(data))
        for paragraph in article.paragraphs:
            self._paragraph_idx.append(paragraph.idx)
            self._paragraph_start.append(paragraph.start)
            self._paragraph_end.append(paragraph.end)
            code = self._lang_code.get(paragraph.lang)
            if code is None:
                code = self._lang_code[paragraph.lang] = len(self._langs)
                self._langs.append(paragraph.lang)
            self._paragraph_lang.append(code)
        self._paragraphs_at.append(len(self._paragraph_idx))
        self._fields.append(tuple(None if k in (_TEXT, _PARAGRAPHS) else getattr(article, name)
                                  for k, name in enumerate(_FIELDS)))

    def __len__(self) -> int:
        return len(self._fields)

    @overload
    def __getitem__(self, index: int) -> Article: ...
    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...
    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        found = self._recent.get(index)
        if found is None:
            found = self._build(index)
            self._recent[index] = found
            if len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        return found

    def __iter__(self) -> Iterator[Article]:
        for index in range(len(self)):
            yield self._build(index)

    def _build(self, index: int) -> Article:
        if self._unflushed:  # pread reads the file, not the write buffer
            self._file.flush()
            self._unflushed = False
        start, end = self._text_at[index], self._text_at[index + 1]
        text = os.pread(self._file.fileno(), end - start, start).decode("utf-8", "surrogatepass")
        first, last = self._paragraphs_at[index], self._paragraphs_at[index + 1]
        paragraphs = list(map(Paragraph, self._paragraph_idx[first:last], self._paragraph_start[first:last],
                              self._paragraph_end[first:last],
                              map(self._langs.__getitem__, self._paragraph_lang[first:last])))
        values = list(self._fields[index])
        values[_TEXT], values[_PARAGRAPHS] = text, paragraphs
        return Article(*values)

    def close(self) -> None:
        self._recent.clear()
        self._file.close()

    def __enter__(self) -> StoredArticles:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

