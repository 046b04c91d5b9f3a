"""The package's surface: the .pyi stubs name every public function, class
and method with the runtime's parameter names, help() reads well, and the
errors map to the library's statuses."""
import ast
import inspect
from pathlib import Path

import pytest

import hashmatch
import hashmatch._hashmatch as core
import hashmatch.dask
import hashmatch.eval

PKG = Path(hashmatch.__file__).parent


def stub_defs(path):
    """{name: [parameter names]} of functions and class methods in a stub."""
    tree = ast.parse(path.read_text())
    out = {}

    def params(f):
        a = f.args
        return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = params(node)
        elif isinstance(node, ast.ClassDef):
            out[node.name] = None
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    out[node.name + "." + item.name] = params(item)
    return out


def runtime_params(obj):
    sig = inspect.signature(obj)
    return [p.name for p in sig.parameters.values() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


@pytest.mark.parametrize("module,stub", [(hashmatch, "__init__.pyi"), (hashmatch.eval, "eval.pyi"),
                                         (hashmatch.dask, "dask.pyi")])
def test_stubs_match_runtime(module, stub):
    defs = stub_defs(PKG / stub)
    public = getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")])
    for name in public:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert name in defs, "%s.%s has no stub" % (module.__name__, name)
    for key, params in defs.items():
        if params is None:
            continue
        owner, _, meth = key.partition(".")
        obj = getattr(module, owner)
        if meth:
            obj = inspect.getattr_static(obj, meth)
            if isinstance(obj, (classmethod, staticmethod)):
                obj = obj.__func__
            if isinstance(obj, property) or not callable(obj):
                continue
        got = runtime_params(obj)
        if params and params[0] in ("self", "cls") and got[:1] != params[:1]:
            params = params[1:]
        assert got == params, "%s: stub %s, runtime %s" % (key, params, got)


def test_extension_stub_names():
    defs = stub_defs(PKG / "_hashmatch.pyi")
    names = {n for n in dir(core) if not n.startswith("_")}
    for n in names:
        if callable(getattr(core, n)):
            assert n in defs, "_hashmatch.%s has no stub" % n
    for n in defs:
        assert n.split(".")[0] in names, "stub of a missing _hashmatch.%s" % n


def test_help_and_docstrings():
    text = inspect.getdoc(hashmatch)
    assert "hash_file" in text and "Set.open" in text and "hashmatch.eval" in text
    for name in hashmatch.__all__:
        obj = getattr(hashmatch, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), "%s has no docstring" % name
    for mod in (hashmatch.eval, hashmatch.dask):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert inspect.getdoc(obj), "%s.%s has no docstring" % (mod.__name__, name)


def test_statuses_are_the_libraries():
    st = core.statuses()
    assert st["image_truncated"][0] == 22 and st["set_rollback"][0] == 50
    assert core.status_name(22) == "image_truncated"
    e = hashmatch.Error("io", "cannot open", 3)
    assert str(e) == "io: cannot open" and e.code == 3 and isinstance(e, Exception)


def test_version():
    assert hashmatch.__version__ == core.version()
    assert hashmatch.cpu_info()[1] in ("scalar", "avx2", "avx512", "neon")
