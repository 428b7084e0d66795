"""``helmpy cluster serve``: the embedded cluster as a Kubernetes API that real kubectl and Helm use.

Public entry point: :class:`~helmpy.server.kubeapi.server.KubeApiServer`. The WSGI app lives in ``app``,
discovery/OpenAPI documents in ``discovery``/``openapi``, request decoding in ``protobuf``, patching in
``patch``/``apply``, watches in ``watch``, and TLS plus kubeconfig writing in ``tls``.
"""
