from helmpy.chart.model import Metadata


def test_validate_sanitizes_whitespace_and_control_characters_like_helm():
    meta = Metadata.from_dict({"apiVersion": "v2", "name": "web", "version": "1.0.0",
                               "description": "a\u00a0nice\tchart\x00!", "keywords": ["x\u2003y"]})
    meta.validate()
    assert meta.description == "a nice chart!"
    assert meta.keywords == ["x y"]
    plain = Metadata.from_dict({"apiVersion": "v2", "name": "web", "version": "1.0.0", "description": "plain text"})
    plain.validate()
    assert plain.description == "plain text"
