"""Sets, keys and scanning: the demo set with the CLI's published results, a
set built and signed here, every refusal as an Error with its status name,
and several threads sharing one Scanner."""
import concurrent.futures
import time

import numpy as np
import pytest
from PIL import Image

import hashmatch


@pytest.fixture(scope="module")
def demo(repo):
    key = hashmatch.read_public_key(repo / "demo" / "demo.pub")
    assert key.hex() == "866f3508469ca0e1219aa2c0ded6f156737cc0019967dac5e84192de56395407"
    return hashmatch.Set.open(repo / "demo" / "demo.hmset", [repo / "demo" / "demo.pub"])


def test_demo_set(demo):
    assert demo.name == "hashmatch demo set" and demo.version == 1 and demo.verified
    assert demo.digest == "019d9d7123e1cc8b608207cf84a31436700e2cb3745626e527dad409863f4826"
    assert demo.algos == ("pdq", "dhash", "phash", "md5", "sha256")
    assert demo.section("pdq")["entry_count"] == 3 and demo.section("ahash") is None
    e = demo.entries("pdq")
    assert e["hash"].shape == (3, 32) and set(e["category_name"]) == {"demo"}
    assert sorted(e["external_id"]) == ["bridge.jpg", "canal.jpg", "doorway.jpg"]
    assert demo.signatures[0]["status"] == "valid"


def test_scan_like_the_cli(repo, demo):
    """README: bridge-resized matches pdq entry 2 at 8, dhash entry 1 at 1,
    phash entry 0 at 0; canal-copy matches every algorithm; sea nothing."""
    s = hashmatch.Scanner(demo)
    r = s.scan_file(repo / "demo/inbox/bridge-resized.jpg")
    got = [(m.algo, m.entry, m.distance, m.external_id) for m in r.matches]
    assert got == [("pdq", 2, 8, "bridge.jpg"), ("dhash", 1, 1, "bridge.jpg"),
                   ("phash", 0, 0, "bridge.jpg")]
    assert r and not r.pdq_skipped and r.hashes.pdq is not None
    copy = s.scan_bytes((repo / "demo/inbox/canal-copy.jpg").read_bytes())
    assert [m.algo for m in copy.matches] == ["pdq", "dhash", "phash", "md5", "sha256"]
    assert not s.scan_file(repo / "demo/inbox/sea.jpg")
    px = np.asarray(Image.open(repo / "demo/inbox/bridge-resized.jpg"))
    assert [m[:3] for m in s.scan_pixels(px).matches] == [m[:3] for m in r.matches[:3]]


def test_build_sign_open_refuse(tmp_path, repo):
    pub, sec = hashmatch.generate_key()
    assert hashmatch.public_key(sec) == pub and len(hashmatch.key_id(pub)) == 32
    other_pub, other_sec = hashmatch.generate_key()
    h = hashmatch.hash_file(repo / "demo/images/bridge.jpg")
    now = int(time.time())
    b = hashmatch.SetBuilder("test list", version=5, issuer="tests", created=now - 10,
                             expires=now + 3600, categories=["a", "b"])
    b.set_policy("pdq", radius=20)
    b.add("pdq", h.pdq, category="b", attesters=2, external_ids="bridge")
    b.add("phash", [str(h.phash)], category=0)
    b.allow("phash", hashmatch.Hash.from_hex("0123456789abcdef"))
    unsigned = b.build()
    signed = hashmatch.sign_set(unsigned, sec)
    s = hashmatch.Set.open(signed, [pub], threshold=1, min_version=5)
    assert s.issuer == "tests" and s.categories == ["a", "b"] and s.section("pdq")["radius"] == 20
    assert s.entries("pdq")["attesters"][0] == 2 and s.entries("pdq")["external_id"][0] == "bridge"
    assert (s.allowlist("phash") == np.frombuffer(bytes.fromhex("0123456789abcdef"), np.uint8)).all()
    r = hashmatch.Scanner(s).scan_file(repo / "demo/inbox/bridge-resized.jpg")
    assert r.matches[0].algo == "pdq" and r.matches[0].category_name == "b"

    def refused(status, data=signed, keys=(pub,), **kw):
        with pytest.raises(hashmatch.Error) as e:
            hashmatch.Set.open(data, list(keys), **kw)
        assert e.value.status == status, (status, str(e.value))
        assert e.value.message

    refused("set_rollback", min_version=6)
    refused("set_unknown_key", keys=[other_pub])
    refused("set_threshold", keys=[pub, other_pub], threshold=2)
    refused("set_threshold", data=unsigned)
    refused("set_expired", now=now + 7200)
    flipped = bytearray(signed)
    flipped[100] ^= 1
    refused("set_digest", data=bytes(flipped))
    path = tmp_path / "list.hmset"
    path.write_bytes(signed)
    assert hashmatch.Set.open(path, [pub]).version == 5
    u = hashmatch.Set.open_unverified(unsigned)
    assert not u.verified
    with pytest.raises(hashmatch.Error) as e:
        hashmatch.Scanner(u)
    assert e.value.status == "invalid_argument"


def test_threads_share_one_scanner(repo, demo, corpus_dir):
    """Eight threads scan the same files through one Scanner at once; every
    report equals the sequential one."""
    s = hashmatch.Scanner(demo)
    files = sorted(str(p) for p in (repo / "demo" / "inbox").glob("*.jpg")) + \
        sorted(str(p) for p in corpus_dir.glob("img*.jpg"))
    want = {f: [tuple(m) for m in s.scan_file(f).matches] for f in files}
    jobs = files * 12

    def scan(f):
        return f, [tuple(m) for m in s.scan_file(f).matches]

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = list(ex.map(scan, jobs))
    assert len(results) == len(jobs)
    assert all(got == want[f] for f, got in results)
    assert any(want.values())  # some files match, some do not
