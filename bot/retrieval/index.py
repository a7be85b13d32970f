"""Incremental, crash-safe ingestion of ``knowledge/`` into the dense and lexical indexes.

Layout in ``DATA_DIR/index``:
- ``index.json``: the manifest (signature, file hashes, all chunks). Written atomically, last.
- ``chroma/``: the embedded Chroma store (unless a Chroma server is configured).

Crash safety: new chunks get ids derived from the file's content hash and are added to Chroma
*before* the manifest is replaced; old chunks are deleted only *after*. Readers use only ids listed
in the manifest, so a crash at any point leaves the previous index usable; the next run cleans
up orphans.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.loader import LoadError, file_hashes, load_knowledge
from bot.retrieval.chunking import CHUNKER_VERSION, Chunk, chunk_file
from bot.retrieval.embeddings import Embedder
from bot.retrieval.vectorstore import COLLECTION_PREFIX, VectorStore, make_client

MANIFEST = "index.json"
FORMAT_VERSION = 1

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Manifest:
    signature: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    """path -> sha256 of every Markdown file seen, valid or not."""
    chunks: list[Chunk] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def collection(self) -> str:
        digest = hashlib.sha1(json.dumps(self.signature, sort_keys=True).encode()).hexdigest()
        return f"{COLLECTION_PREFIX}{digest[:12]}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT_VERSION,
                "signature": self.signature,
                "collection": self.collection,
                "files": self.files,
                "errors": self.errors,
                "chunks": [c.to_dict() for c in self.chunks],
            },
            ensure_ascii=False,
        )

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        path = index_dir / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("format") != FORMAT_VERSION:
            return None
        return cls(
            signature=raw["signature"],
            files=raw["files"],
            chunks=[Chunk.from_dict(c) for c in raw["chunks"]],
            errors=raw.get("errors", []),
        )

    def write(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, index_dir / MANIFEST)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    embedded: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    errors: list[LoadError] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.files} bestanden",
            f"{self.chunks} stukken",
            f"nieuw {self.added}, gewijzigd {self.changed}, verwijderd {self.removed}, "
            f"ongewijzigd {self.unchanged}",
            f"{self.embedded} ingebed",
            f"{self.seconds:.1f} s",
        ]
        if self.rebuilt:
            parts.append("volledig opnieuw opgebouwd")
        if self.errors:
            parts.append(f"{len(self.errors)} bestand(en) overgeslagen")
        return "Index: " + "; ".join(parts)


def signature_for(embedder: Embedder, max_chars: int, store: str = "") -> dict[str, Any]:
    """What the index depends on; any change triggers a full rebuild."""
    return {"model": embedder.name, "chunk_chars": max_chars, "chunker": CHUNKER_VERSION,
            "store": store or "embedded"}


class Indexer:
    def __init__(
        self,
        knowledge_dir: Path,
        index_dir: Path,
        embedder: Embedder,
        chroma_url: str = "",
        chunk_chars: int | None = None,
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self.index_dir = index_dir
        self.embedder = embedder
        self.chroma_url = chroma_url
        # Tuned on the eval (docs/benchmarks.md): 750 for e5 (512 tokens), the window for MiniLM.
        self.chunk_chars = chunk_chars or min(embedder.max_chars, 750)
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.index_dir / "chroma", self.chroma_url)
        return self._client

    def signature(self) -> dict[str, Any]:
        return signature_for(self.embedder, self.chunk_chars, self.chroma_url)

    def is_current(self) -> bool:
        """True when the manifest matches the files on disk and the model (no model load)."""
        manifest = Manifest.read(self.index_dir)
        return (
            manifest is not None
            and manifest.signature == self.signature()
            and manifest.files == file_hashes(self.knowledge_dir)
        )

    def ingest(self, progress: Progress = _quiet) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        old = Manifest.read(self.index_dir)
        signature = self.signature()
        rebuild = old is None or old.signature != signature
        report.rebuilt = rebuild and old is not None
        if rebuild:
            progress("Index wordt opgebouwd" + (" (ander model of andere instellingen)"
                                                 if old is not None else ""))
        hashes = file_hashes(self.knowledge_dir)
        old_files = {} if (rebuild or old is None) else old.files
        old_chunks = [] if (rebuild or old is None) else old.chunks
        report.files = len(hashes)
        changed_paths = {p for p, h in hashes.items() if old_files.get(p) != h}
        removed_paths = set(old_files) - set(hashes)
        report.added = len([p for p in changed_paths if p not in old_files])
        report.changed = len(changed_paths) - report.added
        report.removed = len(removed_paths)
        report.unchanged = len(hashes) - len(changed_paths)

        loaded = load_knowledge(self.knowledge_dir)
        report.errors = loaded.errors
        for err in loaded.errors:
            progress(f"  overgeslagen: {err}")
        if not changed_paths and not removed_paths and old is not None and not rebuild:
            report.chunks = len(old.chunks)
            report.seconds = time.perf_counter() - started
            return report

        keep = [c for c in old_chunks if c.path not in changed_paths | removed_paths]
        new_chunks: list[Chunk] = []
        for doc in loaded.files:
            if doc.path in changed_paths:
                new_chunks.extend(chunk_file(doc, self.chunk_chars))
        manifest = Manifest(
            signature=signature,
            files=hashes,
            chunks=sorted(keep + new_chunks, key=lambda c: (c.path, int(c.id.rsplit("-", 1)[1]))),
            errors=[str(e) for e in loaded.errors],
        )
        store = VectorStore(self.client(), manifest.collection, self.embedder)
        if new_chunks:
            progress(f"  {len(changed_paths)} bestand(en) → {len(new_chunks)} stukken inbedden "
                     f"met {self.embedder.name}…")
            batch = 64
            for start in range(0, len(new_chunks), batch):
                part = new_chunks[start : start + batch]
                vectors = self.embedder.encode_documents([c.embed_text for c in part]).tolist()
                store.add(
                    [c.id for c in part],
                    [c.text for c in part],
                    vectors,
                    [{"path": c.path, "topic": c.topic, "kind": c.kind} for c in part],
                )
                report.embedded += len(part)
                progress(f"  {report.embedded}/{len(new_chunks)} stukken")
        manifest.write(self.index_dir)  # the switch-over point
        live = {c.id for c in manifest.chunks}
        stale = [i for i in store.all_ids() if i not in live]
        if stale:
            store.delete(stale)
        if rebuild:
            store.drop_other_collections()
        report.chunks = len(manifest.chunks)
        report.seconds = time.perf_counter() - started
        return report
