"""The paramscope JupyterLab extension: a parameter-group inspector and a Plotly renderer."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that has not been built
    import warnings

    warnings.warn("Importing 'paramscope_jupyterlab' outside a proper installation.", stacklevel=2)
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@paramscope/jupyterlab"}]
