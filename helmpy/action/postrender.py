"""``--post-renderer``: hand the rendered manifests to a postrenderer/v1 plugin or an executable, take back its output.

Helm's protocol (``pkg/action/action.go`` ``renderResources``): every rendered template file except NOTES and
partials, hooks included, goes to the executable's stdin as one YAML stream, each document annotated with
:data:`FILENAME_ANNOTATION` naming its template; stdout is the final stream, split back into files by that
annotation (removed again), so hooks, ``# Source:`` lines and install order still work. Documents without it
become ``generated-by-postrender-N.yaml``. kustomize is the usual post-renderer (``kustomize build``, with the
stream saved as a resource by a wrapper script).

``--post-renderer NAME`` names, as in Helm 4, an installed plugin of type ``postrenderer/v1`` (runtime
``subprocess``): its ``platformCommand`` runs (chosen and ``$VAR``-expanded as a CLI plugin's, in the plugin
environment with ``HELM_PLUGIN_NAME``/``HELM_PLUGIN_DIR``) with ``--post-renderer-args`` appended unexpanded, the
stream on stdin. When no such plugin is installed, NAME is Helm 3's form: a path to an executable (anything with
a directory part is only ever a path, since plugin names cannot hold one) or a command on ``PATH``.
helmpy sets no time or size limit on the post-renderer: it is the user's own program, as a ``--set-file`` file is
the user's own data.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helmpy import yamlutil
from helmpy.errors import PostRenderError

if TYPE_CHECKING:
    from helmpy.plugin.manifest import Plugin

logger = logging.getLogger(__name__)

FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"
NOTES_SUFFIX = "NOTES.txt"
_STDERR_SHOWN = 400  # characters of the post-renderer's stderr quoted in the error


@dataclass
class PostRenderer:
    """``--post-renderer`` (a postrenderer/v1 plugin's name, else an executable) and ``--post-renderer-args``."""

    command: str
    args: list[str] = field(default_factory=list)

    def _has_dir_part(self) -> bool:
        return os.sep in self.command or bool(os.altsep and os.altsep in self.command)

    def plugin(self) -> Plugin | None:
        """The installed ``postrenderer/v1`` plugin ``command`` names (Helm 4's form), or None."""
        if self._has_dir_part():
            return None
        from helmpy.plugin.loader import find
        from helmpy.plugin.manifest import POSTRENDERER

        return find(self.command, kind=POSTRENDERER)

    def executable(self) -> str:
        """The file to run for Helm 3's form: ``command`` as a path when it has a directory part, else looked up
        on ``PATH``."""
        if self._has_dir_part():
            path = Path(self.command).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path.resolve())
            why = "is not executable" if path.is_file() else "does not exist"
            raise PostRenderError(f'post-renderer "{self.command}": {why}')
        found = shutil.which(self.command)
        if found is None:
            raise PostRenderError(f'post-renderer "{self.command}": no postrenderer/v1 plugin of that name is '
                                  "installed and no such command is on PATH",
                                  hint="`helmpy plugin list --type postrenderer/v1` lists the installed ones; "
                                       "or give a path to an executable")
        return found

    def command_line(self) -> tuple[list[str], dict[str, str], str]:
        """What to run: (argv, its environment - the settings in effect, built explicitly - and how errors name
        it)."""
        plugin = self.plugin()
        if plugin is None:
            from helmpy import settings

            return [self.executable(), *self.args], dict(settings.environ()), f'post-renderer "{self.command}"'
        from helmpy.plugin.command import prepare
        from helmpy.plugin.environment import plugin_env

        what = f'post-renderer plugin "{plugin.name}"'
        env = plugin_env(plugin)
        return prepare(plugin.manifest.commands, env, self.args, what=what), env, what

    def run_stream(self, stream: str) -> str:
        """Run the post-renderer with ``stream`` on stdin; its stdout, or one PostRenderError naming it."""
        argv, env, what = self.command_line()
        logger.debug("post-renderer argv=%s input_bytes=%d", argv, len(stream))
        try:
            proc = subprocess.run(argv, input=stream.encode("utf-8"), capture_output=True, env=env, check=False)
        except OSError as err:
            raise PostRenderError(f"{what} could not be started: {err.strerror or err}") from err
        if proc.returncode != 0:
            said = " ".join(proc.stderr.decode("utf-8", "replace").split())[:_STDERR_SHOWN]
            raise PostRenderError(f"{what} failed (exit status {proc.returncode})" + (f": {said}" if said else ""))
        out = proc.stdout.decode("utf-8", "replace")
        if not out.strip():
            raise PostRenderError(f"{what} produced empty output")
        return out

    def run(self, files: dict[str, str]) -> dict[str, str]:
        """Post-render rendered ``files`` (path -> text); NOTES and partials are kept as they were."""
        kept = {p: t for p, t in files.items() if not _is_manifest(p, t)}
        out = split_and_deannotate(self.run_stream(annotate_and_merge(files)), self.command)
        return {**kept, **out}


def _is_manifest(path: str, text: str) -> bool:
    return not path.endswith(NOTES_SUFFIX) and not os.path.basename(path).startswith("_") and bool(text.strip())


_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?$\n?", re.M)
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
_ANNOTATION_LINE = re.compile(r"^([ \t]+)" + re.escape(FILENAME_ANNOTATION) + r":[ \t]*(.*)$\n?", re.M)


def documents(text: str) -> list[str]:
    """The YAML documents of ``text`` as written (not re-serialised), each ending in a newline."""
    return [piece.rstrip("\n") + "\n" for piece in _SEPARATOR.split(text) if piece.strip()]


def annotate_and_merge(files: dict[str, str]) -> str:
    """Every document of every manifest file, in path order, with its template named in an annotation.

    The annotation line is written into the document's own text (after ``metadata:``, or as the first of its
    ``annotations:``), so the post-renderer sees the manifests as rendered, byte for byte, as Helm's kyaml
    round trip keeps them; a document whose metadata is not a block mapping is re-serialised instead.
    """
    docs: list[str] = []
    for path in sorted(files):
        if not _is_manifest(path, files[path]):
            continue
        for text in documents(files[path]):
            doc = yamlutil.load(text, path, exc=PostRenderError)
            if isinstance(doc, dict):
                docs.append(_annotated(text, doc, path))
    return "---\n".join(docs)


def _annotated(text: str, doc: dict[str, Any], path: str) -> str:
    value = path if _PLAIN_PATH.match(path) else json.dumps(path)
    meta = doc.get("metadata")
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.rstrip() == "metadata:"), None)
    if isinstance(meta, dict) and meta and at is not None:
        body = next((line for line in lines[at + 1:] if line.strip() and not line.lstrip().startswith("#")), "")
        indent = body[:len(body) - len(body.lstrip())]
        if indent:
            for i in range(at + 1, len(lines)):
                line = lines[i]
                if line.strip() and not line.startswith(indent):
                    break  # past the metadata block
                if line.rstrip() == f"{indent}annotations:" and isinstance(meta.get("annotations"), dict):
                    lines.insert(i + 1, f"{indent}  {FILENAME_ANNOTATION}: {value}\n")
                    return "".join(lines)
            if "annotations" not in meta:
                lines.insert(at + 1, f"{indent}annotations:\n{indent}  {FILENAME_ANNOTATION}: {value}\n")
                return "".join(lines)
    if doc.get("metadata") is None:
        doc["metadata"] = {}
    if not isinstance(doc["metadata"], dict):
        raise PostRenderError(f"{path}: metadata is not a mapping, cannot hand it to the post-renderer")
    if not isinstance(doc["metadata"].get("annotations"), dict):
        doc["metadata"]["annotations"] = {}
    doc["metadata"]["annotations"][FILENAME_ANNOTATION] = path
    return yamlutil.dump(doc, sort=False)


def split_and_deannotate(stream: str, name: str) -> dict[str, str]:
    """The post-renderer's output back as files: grouped by the annotation, whose line is taken out again (with
    an ``annotations:`` left empty by it)."""
    grouped: dict[str, list[str]] = {}
    for i, text in enumerate(documents(stream)):
        try:
            doc = yamlutil.load(text, f'output of post-renderer "{name}"', exc=PostRenderError)
        except PostRenderError as err:
            raise PostRenderError(f"error while parsing post rendered output: {err.message}") from err
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise PostRenderError(f'post-renderer "{name}": document {i + 1} of its output is not a mapping')
        meta = doc.get("metadata")
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        path = str(annotations.get(FILENAME_ANNOTATION) or "") if isinstance(annotations, dict) else ""
        if path:
            text = _deannotated(text, doc)
        grouped.setdefault(path or f"generated-by-postrender-{i}.yaml", []).append(text)
    return {path: "---\n".join(texts) for path, texts in grouped.items()}


def _deannotated(text: str, doc: dict[str, Any]) -> str:
    match = _ANNOTATION_LINE.search(text)
    if match is None:  # written some other way (flow style): re-serialise without it
        annotations = doc["metadata"]["annotations"]
        annotations.pop(FILENAME_ANNOTATION, None)
        if not annotations:
            del doc["metadata"]["annotations"]
        return yamlutil.dump(doc, sort=False)
    before, after = text[:match.start()], text[match.end():]
    head = before.splitlines(keepends=True)
    child = match.group(1)
    if head and head[-1].rstrip() == f"{child[:-2]}annotations:" and not after.startswith(child):
        head.pop()  # the annotation was the only one
    return "".join(head) + after
