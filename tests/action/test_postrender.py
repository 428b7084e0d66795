"""The post-renderer stream: annotating and de-annotating gives the rendered documents back unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helmpy import yamlutil
from helmpy.action.postrender import FILENAME_ANNOTATION, annotate_and_merge, documents, split_and_deannotate

NAMES = st.text(alphabet="abcdefghij-", min_size=1, max_size=8)
# non-empty: an empty ``annotations: {}`` comes back without the key (Helm's kyaml drops it too)
ANNOTATIONS = st.dictionaries(st.text(alphabet="abc./", min_size=1, max_size=6), st.text(max_size=6), min_size=1,
                              max_size=3)
DOC = st.fixed_dictionaries({"apiVersion": st.just("v1"), "kind": st.sampled_from(["ConfigMap", "Secret"]),
                             "metadata": st.fixed_dictionaries({"name": NAMES},
                                                               optional={"annotations": ANNOTATIONS,
                                                                         "labels": ANNOTATIONS}),
                             "data": st.dictionaries(NAMES, st.text(max_size=10), max_size=3)})
FILES = st.dictionaries(st.sampled_from(["app/templates/a.yaml", "app/templates/b c.yaml", "app/charts/s/x.yaml"]),
                        st.lists(DOC, min_size=1, max_size=3), min_size=1)


@settings(deadline=None)  # the machine is shared: timing is not the property
@given(FILES)
def test_identity_post_renderer_round_trip(files: dict[str, list[dict]]) -> None:
    rendered = {path: "---\n".join(yamlutil.dump(d, sort=False) for d in docs) for path, docs in files.items()}
    stream = annotate_and_merge({**rendered, "app/templates/NOTES.txt": "hi", "app/templates/_h.tpl": "x"})
    assert stream.count(FILENAME_ANNOTATION) == sum(len(d) for d in files.values())
    back = split_and_deannotate(stream, "cat")
    assert back == {path: "---\n".join(documents(text)) for path, text in rendered.items()}
    for path, docs in files.items():
        assert [yamlutil.load(t) for t in documents(back[path])] == docs
