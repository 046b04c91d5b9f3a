"""PDQ against Meta's reference (../shared/vectors/pdq): the reference's own
input pixels give its hashes bit for bit; files decoded by hashmatch give the
full-resolution and cli512 hashes; pdq() accepts what pdqhash users have."""
import numpy as np
from PIL import Image

import hashmatch


def rows(path):
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:] if l]


def test_reference_files(vectors):
    pdq = vectors / "pdq"
    table = rows(pdq / "reference.tsv")
    assert len(table) == 57
    exact_full = exact_cli = 0
    for r in table:
        full, q = hashmatch.pdq(str(pdq / r["image"]))
        cli, _ = hashmatch.pdq(str(pdq / r["image"]), pdq_mode="cli512")
        exact_full += str(full) == r["fullres_hash"]
        exact_cli += str(cli) == r["cli512_hash"]
        if "16bit" not in r["decoded_as"]:  # the reference reads 16-bit PNGs wrongly
            assert str(full) == r["fullres_hash"], r["image"]
            assert q == int(r["fullres_quality"])
    assert exact_full == exact_cli == 56


def test_reference_core_input_pixels(vectors):
    """The PNG of the exact pixels the reference core hashed, decoded by
    Pillow and passed as a PIL image and as an array: its cli512 hash."""
    pdq = vectors / "pdq"
    n = 0
    for r in rows(pdq / "reference.tsv"):
        if not r["coreinput"]:
            continue
        with Image.open(pdq / r["coreinput"]) as im:
            h, q = hashmatch.pdq(im)
            assert str(h) == r["cli512_hash"], r["image"]
            assert q == int(r["cli512_quality"])
            a, _ = hashmatch.pdq(np.asarray(im if im.mode == "L" else im.convert("RGB")))
            assert a == h
        n += 1
    assert n >= 50


def test_synthetic(vectors):
    syn = vectors / "pdq" / "synthetic"
    table = rows(syn / "synthetic_vectors.tsv")
    assert len(table) == 10
    for r in table:
        with Image.open(syn / r["file"]) as im:
            px = np.asarray(im if im.mode == "L" else im.convert("RGB"))
        h = hashmatch.hash_pixels(px, "pdq")
        assert str(h.pdq) == r["fullres_core_hash"], r["file"]
        assert h.pdq_quality == int(r["fullres_core_quality"])
        c = hashmatch.hash_pixels(px, "pdq", pdq_mode="cli512", dihedral=True)
        assert str(c.pdq) == r["ref_tool_hash"], r["file"]
        # the dihedral columns are the reference tool's (cli512)
        names = ["dih_orig", "dih_rot90", "dih_rot180", "dih_rot270", "dih_flipx", "dih_flipy",
                 "dih_flipplus1", "dih_flipminus1"]
        assert [str(d) for d in c.pdq_dihedral] == [r[k] for k in names], r["file"]


def test_pdq_inputs_agree(repo):
    p = repo / "demo/images/bridge.jpg"
    want = hashmatch.hash_file(p, "pdq")
    for x in (str(p), p, p.read_bytes(), Image.open(p), np.asarray(Image.open(p))):
        h, q = hashmatch.pdq(x)
        assert h == want.pdq and q == want.pdq_quality and len(str(h)) == 64
