"""Incremental, crash-safe ingestion of ``knowledge/`` into the dense and lexical indexes.

Layout in ``DATA_DIR/index``:
- ``index.json``: the manifest (signature, file hashes, all chunks, collection). Written
  atomically, last.
- ``chroma/``: the embedded Chroma store (unless a Chroma server is configured).
- ``question-keys-<hash>.npy``: the query embeddings of the question keys
  (``knowledge/vragen/``, ``bot.retrieval.keys``); key files are part of the manifest's file
  hashes, so a changed key file re-ingests. Kept next to the manifest, not in Chroma, so the
  embedded store and server mode work alike.

Collections are named by content: model + chunker settings + search layout + the chunks (ids
derived from each file's content hash, and paths). Never by the Chroma URL, so replicas that
index the same knowledge share one collection however they spell the server's address, and a
replica with newer knowledge writes a *new* collection instead of changing the one others read.

Crash safety: the new collection is filled *before* the manifest is replaced; readers use only
the manifest's collection, so a crash at any point leaves the previous index usable. Old
collections are removed only by the lease-aware garbage collector (``bot.retrieval.leases``).

Vectors are never computed twice: chunks already stored in a collection with the same model and
chunker settings (the previous collection, on the server or in the local embedded store, e.g. the
index built into the Docker image) are copied; only new chunks are embedded.
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
from bot.knowledge.models import KnowledgeFile
from bot.knowledge.question_keys import load_question_keys
from bot.retrieval.chunking import CHUNKER_VERSION, Chunk, chunk_file
from bot.retrieval.embeddings import Embedder
from bot.retrieval.keys import cache_path, embed_keys
from bot.retrieval.leases import LEASE_TTL, GcReport, collect_garbage
from bot.retrieval.vectorstore import (
    COLLECTION_PREFIX,
    META_CHUNKS,
    META_CREATED,
    META_SIGNATURE,
    SEARCH_LAYOUT,
    VectorStore,
    collection_count,
    collection_names,
    find_collection,
    get_vectors,
    make_client,
)

MANIFEST = "index.json"
FORMAT_VERSION = 1
AUTO_GC_GRACE = 3600.0
"""After an ingest, collections unused for this long (no live lease) are removed."""

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
    collection: str = ""
    """Name of the Chroma collection; derived from the content when empty."""

    def __post_init__(self) -> None:
        if not self.collection:
            self.collection = collection_name(self.signature, self.chunks)

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
            collection=raw.get("collection", ""),
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
    reused: int = 0
    """vectors copied from a stored collection instead of embedded"""
    rebuilt: bool = False
    seconds: float = 0.0
    errors: list[LoadError] = field(default_factory=list)
    keys: int = 0
    """question keys (``knowledge/vragen/``) in the index"""
    keys_seconds: float = 0.0
    """time to embed them (0 when the cached matrix was current)"""
    key_errors: list[LoadError] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.files} bestanden",
            f"{self.chunks} stukken",
            f"nieuw {self.added}, gewijzigd {self.changed}, verwijderd {self.removed}, "
            f"ongewijzigd {self.unchanged}",
            f"{self.embedded} ingebed",
            *([f"{self.reused} overgenomen zonder opnieuw in te bedden"] if self.reused else []),
            f"{self.seconds:.1f} s",
        ]
        if self.keys:
            parts.append(f"{self.keys} vraagsleutels ({self.keys_seconds:.1f} s)")
        if self.rebuilt:
            parts.append("volledig opnieuw opgebouwd")
        if self.errors:
            parts.append(f"{len(self.errors)} bestand(en) overgeslagen")
        if self.key_errors:
            parts.append(f"{len(self.key_errors)} vraagsleutel-fout(en)")
        return "Index: " + "; ".join(parts)


def signature_for(embedder: Embedder, max_chars: int) -> dict[str, Any]:
    """What the index depends on: the vectors (model, chunker settings; a change there means
    embedding everything again) and the collection's search layout (a change there builds a new
    collection from the stored vectors)."""
    return {"model": embedder.name, "chunk_chars": max_chars, "chunker": CHUNKER_VERSION,
            "search": SEARCH_LAYOUT}


def _core(signature: dict[str, Any]) -> dict[str, Any]:
    # Manifests written before content-named collections also recorded the store (URL).
    return {k: v for k, v in signature.items() if k != "store"}


def signature_digest(signature: dict[str, Any]) -> str:
    """Identity of the vectors (stored on each collection): collections with the same digest
    hold interchangeable vectors, whatever their search layout."""
    vectors = {k: v for k, v in _core(signature).items() if k != "search"}
    return hashlib.sha256(json.dumps(vectors, sort_keys=True).encode()).hexdigest()[:16]


def collection_name(signature: dict[str, Any], chunks: list[Chunk]) -> str:
    """Content signature: model + chunker settings + every chunk (id from file hash, path)."""
    h = hashlib.sha256(json.dumps(_core(signature), sort_keys=True).encode())
    for c in sorted(chunks, key=lambda c: c.id):
        h.update(f"\n{c.id}\t{c.path}".encode())
    return f"{COLLECTION_PREFIX}{h.hexdigest()[:16]}"


@dataclass
class CollectionInfo:
    name: str
    count: int | None
    holders: list[str]
    current: bool


class Indexer:
    def __init__(
        self,
        knowledge_dir: Path,
        index_dir: Path,
        embedder: Embedder,
        chroma_url: str = "",
        chunk_chars: int | None = None,
        lease_ttl: float = LEASE_TTL,
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self.index_dir = index_dir
        self.embedder = embedder
        self.chroma_url = chroma_url
        # Tuned on the eval (docs/benchmarks.md): 750 for e5 (512 tokens), the window for MiniLM.
        self.chunk_chars = chunk_chars or min(embedder.max_chars, 750)
        self.lease_ttl = lease_ttl
        self._client: Any = None
        self._local: Any = None
        self._stores: list[VectorStore] = []

    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.index_dir / "chroma", self.chroma_url)
        return self._client

    def local_client(self) -> Any | None:
        """In server mode: the embedded store under the data dir (e.g. built into the image)."""
        path = self.index_dir / "chroma"
        if not self.chroma_url or not path.is_dir():
            return None
        if self._local is None:
            self._local = make_client(path)
        return self._local

    def signature(self) -> dict[str, Any]:
        return signature_for(self.embedder, self.chunk_chars)

    def is_current(self) -> bool:
        """The manifest matches the files and the model (no model load) *and* the collection
        exists in Chroma (server or embedded) with every chunk."""
        manifest = Manifest.read(self.index_dir)
        if (
            manifest is None
            or manifest.signature != self.signature()
            or manifest.files != file_hashes(self.knowledge_dir)
        ):
            return False
        return collection_count(self.client(), manifest.collection) == len(manifest.chunks)

    def ingest(self, progress: Progress = _quiet) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        old = Manifest.read(self.index_dir)
        signature = self.signature()
        same = old is not None and _core(old.signature) == signature
        report.rebuilt = old is not None and not same
        if not same:
            progress("Index wordt opgebouwd" + (" (ander model of andere instellingen)"
                                                 if old is not None else ""))
        hashes = file_hashes(self.knowledge_dir)
        old_files = old.files if (same and old is not None) else {}
        old_chunks = old.chunks if (same and old is not None) else []
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
        store = VectorStore(self.client(), manifest.collection, self.embedder, create=True,
                            metadata={META_SIGNATURE: signature_digest(signature),
                                      META_CHUNKS: len(manifest.chunks),
                                      "wijkwijs_model": self.embedder.name},
                            expected=len(manifest.chunks))
        self._stores.append(store)  # our lease protects it until close() or exit
        present = store.all_ids()
        missing = [c for c in manifest.chunks if c.id not in present]
        if missing:
            self._fill(store, missing, old if same else None, report, progress)
        stale = present - {c.id for c in manifest.chunks}
        if stale:  # never happens with content-named collections, but keep the invariant
            store.delete(sorted(stale))
        if old is None or old.to_json() != manifest.to_json():
            manifest.write(self.index_dir)  # the switch-over point
            try:
                self.gc(AUTO_GC_GRACE)
            except Exception as exc:  # gc is housekeeping; the index itself is fine
                progress(f"  opruimen van oude collecties mislukt: {exc}")
        self._embed_keys(loaded.files, report, progress)
        report.chunks = len(manifest.chunks)
        report.seconds = time.perf_counter() - started
        return report

    def _embed_keys(self, files: list[KnowledgeFile], report: IngestReport,
                    progress: Progress) -> None:
        """Embed the question keys into ``question-keys-<hash>.npy`` here (cached by content:
        only a changed key file or model embeds again)."""
        keys = load_question_keys(self.knowledge_dir, files)
        report.keys = len(keys.keys)
        report.key_errors = keys.errors
        for err in keys.errors:
            progress(f"  vraagsleutel overgeslagen: {err}")
        if not keys.keys or cache_path(self.index_dir, keys, self.embedder.name).is_file():
            return
        progress(f"  {len(keys.keys)} vraagsleutels inbedden…")
        started = time.perf_counter()
        embed_keys(keys, self.embedder, self.index_dir)
        report.keys_seconds = time.perf_counter() - started

    def _sources(self, target: str, old: Manifest | None) -> list[tuple[str, Any]]:
        """Collections that may hold our chunks' vectors (same model and chunker)."""
        digest = signature_digest(self.signature())
        out: list[tuple[str, Any]] = []
        clients = [("de server" if self.chroma_url else "de lokale index", self.client())]
        local = self.local_client()
        if local is not None:
            clients.append(("de lokale index", local))
        for label, client in clients:
            found: list[tuple[float, str, Any]] = []
            for name in collection_names(client):
                if name == target and client is self._client:
                    continue
                coll = find_collection(client, name)
                if coll is None:
                    continue
                meta = coll.metadata or {}
                if old is not None and name == old.collection:
                    found.append((float("inf"), name, coll))  # the previous index first
                elif meta.get(META_SIGNATURE) == digest:
                    found.append((float(meta.get(META_CREATED, 0.0)), name, coll))
            out.extend((f"{label} ({name})", coll) for _, name, coll in
                       sorted(found, key=lambda t: t[0], reverse=True))
        return out

    def _fill(self, store: VectorStore, missing: list[Chunk], old: Manifest | None,
              report: IngestReport, progress: Progress) -> None:
        def meta(c: Chunk) -> dict[str, Any]:
            return {"path": c.path, "topic": c.topic, "kind": c.kind}

        vectors: dict[str, list[float]] = {}
        for label, coll in self._sources(store.collection_name, old):
            need = [c.id for c in missing if c.id not in vectors]
            if not need:
                break
            got = get_vectors(coll, need)
            if got:
                progress(f"  {len(got)} stukken overgenomen uit {label}")
            vectors.update(got)
        reuse = [c for c in missing if c.id in vectors]
        if reuse:
            store.add([c.id for c in reuse], [c.text for c in reuse],
                      [vectors[c.id] for c in reuse], [meta(c) for c in reuse])
            report.reused = len(reuse)
        todo = [c for c in missing if c.id not in vectors]
        if todo:
            progress(f"  {len(todo)} stukken inbedden met {self.embedder.name}…")
        batch = 64
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            embedded = self.embedder.encode_documents([c.embed_text for c in part]).tolist()
            store.add([c.id for c in part], [c.text for c in part], embedded,
                      [meta(c) for c in part])
            report.embedded += len(part)
            progress(f"  {report.embedded}/{len(todo)} stukken")

    def gc(self, grace: float = 0.0, dry_run: bool = False) -> GcReport:
        """Remove index collections no process uses (see ``bot.retrieval.leases``)."""
        manifest = Manifest.read(self.index_dir)
        keep = {manifest.collection} if manifest is not None else set()
        return collect_garbage(self.client(), keep, grace, ttl=self.lease_ttl, dry_run=dry_run)

    def status(self) -> list[CollectionInfo]:
        from bot.retrieval.leases import read_usage

        client = self.client()
        manifest = Manifest.read(self.index_dir)
        usage = read_usage(client, self.lease_ttl)
        return [CollectionInfo(name, collection_count(client, name), usage.live.get(name, []),
                               manifest is not None and name == manifest.collection)
                for name in collection_names(client)]

    def attach(self, store: VectorStore) -> None:
        """Let a reader's store rebuild its collection with this indexer if it disappears."""
        store.on_missing = self.ingest

    def close(self) -> None:
        """Release this indexer's leases (the collections stay)."""
        for store in self._stores:
            store.close()
        self._stores.clear()
