"""``--post-renderer``: hand the rendered manifests to the user's executable and take back what it prints.

Helm's protocol (``pkg/action/action.go`` ``renderResources``): every rendered template file except NOTES and
partials, hooks included, goes to the executable's stdin as one YAML stream, each document annotated with
:data:`FILENAME_ANNOTATION` naming its template; stdout is the final stream, split back into files by that
annotation (removed again), so hooks, ``# Source:`` lines and install order still work. Documents without it
become ``generated-by-postrender-N.yaml``. kustomize is the usual post-renderer (``kustomize build``, with the
stream saved as a resource by a wrapper script).

The executable is a path or a command on ``PATH`` (Helm 3's form). Helm 4 takes only the name of an installed
``postrenderer/v1`` plugin; :meth:`PostRenderer.executable` is where such a name would be looked up among the
plugins. helmpy sets no time or size limit on the executable: it is the user's own program, as a ``--set-file``
file is the user's own data.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmpy import yamlutil
from helmpy.engine.manifests import split_documents
from helmpy.errors import PostRenderError

logger = logging.getLogger(__name__)

FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"
NOTES_SUFFIX = "NOTES.txt"
_STDERR_SHOWN = 400  # characters of the post-renderer's stderr quoted in the error


@dataclass
class PostRenderer:
    """The ``--post-renderer`` executable and its ``--post-renderer-args``."""

    command: str
    args: list[str] = field(default_factory=list)

    def executable(self) -> str:
        """The file to run: ``command`` as a path when it has a directory part, else looked up on ``PATH``."""
        if os.sep in self.command or (os.altsep and os.altsep in self.command):
            path = Path(self.command).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path.resolve())
            why = "is not executable" if path.is_file() else "does not exist"
            raise PostRenderError(f'post-renderer "{self.command}": {why}')
        found = shutil.which(self.command)
        if found is None:
            raise PostRenderError(f'post-renderer "{self.command}": not found on PATH',
                                  hint="give a path to the executable, or a command on PATH")
        return found

    def run_stream(self, stream: str) -> str:
        """Run the executable with ``stream`` on stdin; its stdout, or one PostRenderError naming it."""
        exe = self.executable()
        logger.debug("post-renderer command=%s args=%d input_bytes=%d", exe, len(self.args), len(stream))
        try:
            proc = subprocess.run([exe, *self.args], input=stream.encode("utf-8"), capture_output=True, check=False)
        except OSError as err:
            raise PostRenderError(f'post-renderer "{self.command}" could not be started: {err.strerror or err}') \
                from err
        if proc.returncode != 0:
            said = " ".join(proc.stderr.decode("utf-8", "replace").split())[:_STDERR_SHOWN]
            raise PostRenderError(f'post-renderer "{self.command}" failed (exit status {proc.returncode})'
                                  + (f": {said}" if said else ""))
        out = proc.stdout.decode("utf-8", "replace")
        if not out.strip():
            raise PostRenderError(f'post-renderer "{self.command}" produced empty output')
        return out

    def run(self, files: dict[str, str]) -> dict[str, str]:
        """Post-render rendered ``files`` (path -> text); NOTES and partials are kept as they were."""
        kept = {p: t for p, t in files.items() if not _is_manifest(p, t)}
        out = split_and_deannotate(self.run_stream(annotate_and_merge(files)), self.command)
        return {**kept, **out}


def _is_manifest(path: str, text: str) -> bool:
    return not path.endswith(NOTES_SUFFIX) and not os.path.basename(path).startswith("_") and bool(text.strip())


def annotate_and_merge(files: dict[str, str]) -> str:
    """Every document of every manifest file, in path order, with its template named in an annotation."""
    docs: list[str] = []
    for path in sorted(files):
        if not _is_manifest(path, files[path]):
            continue
        for text in split_documents(files[path]):
            doc = yamlutil.load(text, path, exc=PostRenderError)
            if not isinstance(doc, dict):
                continue  # comments only, or not an object: nothing a post-renderer could use
            if doc.get("metadata") is None:
                doc["metadata"] = {}
            meta = doc["metadata"]
            if not isinstance(meta, dict):
                raise PostRenderError(f"{path}: metadata is not a mapping, cannot hand it to the post-renderer")
            if not isinstance(meta.get("annotations"), dict):
                meta["annotations"] = {}
            meta["annotations"][FILENAME_ANNOTATION] = path
            docs.append(yamlutil.dump(doc, sort=False))
    return "---\n".join(docs)


def split_and_deannotate(stream: str, name: str) -> dict[str, str]:
    """The post-renderer's output back as files: grouped by the annotation, which is removed again."""
    try:
        docs = yamlutil.load_all(stream, f'output of post-renderer "{name}"', exc=PostRenderError)
    except PostRenderError as err:
        raise PostRenderError(f"error while parsing post rendered output: {err.message}") from err
    grouped: dict[str, list[str]] = {}
    for i, doc in enumerate(d for d in docs if d is not None):
        if not isinstance(doc, dict):
            raise PostRenderError(f'post-renderer "{name}": document {i + 1} of its output is not a mapping')
        path = _pop_filename(doc) or f"generated-by-postrender-{i}.yaml"
        grouped.setdefault(path, []).append(yamlutil.dump(doc, sort=False))
    return {path: "---\n".join(texts) for path, texts in grouped.items()}


def _pop_filename(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict):
        return ""
    path = str(annotations.pop(FILENAME_ANNOTATION, "") or "")
    if not annotations:
        del meta["annotations"]  # type: ignore[index]
    return path
