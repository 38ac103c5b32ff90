"""Pretrained weights: offline fallback, local files, verified downloads; nothing touches the net."""

import hashlib
import time

import pytest
import torch

from cnncourse.data import network
from cnncourse.recipes import pretrained


def test_offline_gives_random_weights_quickly_and_says_why(monkeypatch, tmp_path, capsys,
                                                          no_network, empty_hub):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    start = time.perf_counter()
    model, info = pretrained.load_pretrained("mobilenet_v3_small", num_classes=10,
                                             root=tmp_path)
    assert time.perf_counter() - start < 20
    assert info.pretrained is False and "CNNCOURSE_OFFLINE=1" in info.source
    out = capsys.readouterr().out
    assert "RANDOM weights" in out and "Fix: run this again while online" in out
    assert pretrained.weights_filename("mobilenet_v3_small") in out   # or copy this file
    assert model(torch.randn(1, 3, 64, 64)).shape == (1, 10)
    assert info.transforms.mean == [0.485, 0.456, 0.406]
    assert len(info.categories) == 1000


def test_unreachable_server_falls_back(monkeypatch, tmp_path, capsys, empty_hub):
    monkeypatch.delenv("CNNCOURSE_OFFLINE", raising=False)
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: False)
    model, info = pretrained.load_pretrained("resnet18", root=tmp_path)
    assert not info.pretrained and "download failed" in info.source
    assert "cannot reach" in capsys.readouterr().out


def test_weights_in_the_data_folder_are_loaded(monkeypatch, tmp_path, no_network, empty_hub):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    torch.manual_seed(0)
    source, _ = pretrained.load_pretrained("resnet18", pretrained=False)
    folder = pretrained.weights_dir(tmp_path)
    folder.mkdir(parents=True)
    torch.save(source.state_dict(), folder / pretrained.weights_filename("resnet18"))
    model, info = pretrained.load_pretrained("resnet18", root=tmp_path)
    assert info.pretrained and info.source.endswith(".pth")
    torch.testing.assert_close(model.conv1.weight, source.conv1.weight)


def test_torch_hub_cache_is_found(monkeypatch, tmp_path, empty_hub):
    checkpoints = empty_hub / "checkpoints"
    checkpoints.mkdir(parents=True)
    name = pretrained.weights_filename("efficientnet_b0")
    (checkpoints / name).write_bytes(b"x")
    assert pretrained.find_weights("efficientnet_b0", root=tmp_path) == checkpoints / name


class _FakeWeights:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def weights_server():
    """A local HTTP server whose every URL answers with ``served["payload"]``."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served = {"payload": b"", "hits": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served["hits"] += 1
            self.send_response(200)
            self.send_header("Content-Length", str(len(served["payload"])))
            self.end_headers()
            self.wfile.write(served["payload"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served["url"] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield served
    server.shutdown()
    server.server_close()


def test_download_verifies_the_sha256_prefix(monkeypatch, tmp_path, weights_server):
    monkeypatch.delenv("CNNCOURSE_OFFLINE", raising=False)
    payload = b"pretend weights"
    weights_server["payload"] = payload
    good = hashlib.sha256(payload).hexdigest()[:8]
    base = weights_server["url"]
    monkeypatch.setattr(pretrained, "weights_enum",
                        lambda name: _FakeWeights(f"{base}m-{good}.pth"))
    path = pretrained.download_weights("resnet18", root=tmp_path)
    assert path.read_bytes() == payload and path.parent == tmp_path / "weights"
    assert weights_server["hits"] == 1
    # a second call finds the verified file and downloads nothing
    assert pretrained.download_weights("resnet18", root=tmp_path) == path
    assert weights_server["hits"] == 1

    monkeypatch.setattr(pretrained, "weights_enum",
                        lambda name: _FakeWeights(f"{base}m-00000000.pth"))
    with pytest.raises(pretrained.WeightsError, match="SHA-256"):
        pretrained.download_weights("resnet18", root=tmp_path)
    assert sorted(p.name for p in (tmp_path / "weights").iterdir()) == [path.name]


def test_head_replacement_and_freezing(monkeypatch, no_network):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    for name in pretrained.MODELS:
        model, _ = pretrained.load_pretrained(name, num_classes=7, pretrained=False)
        layer, _ = pretrained.head(model)
        assert layer.out_features == 7
        trainable = pretrained.freeze_backbone(model)
        assert trainable == layer.in_features * 7 + 7


@pytest.mark.parametrize("call, error, words", [
    (lambda: pretrained.load_pretrained("vgg16"), ValueError, "choose one of"),
    (lambda: pretrained.load_pretrained(18), TypeError, "model name"),
    (lambda: pretrained.replace_head(torch.nn.Linear(2, 2), 3), TypeError, "torchvision"),
    (lambda: pretrained.replace_head(pretrained.load_pretrained(
        "resnet18", pretrained=False)[0], 0), ValueError, "positive int"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_extract_features_is_the_head_input(monkeypatch, no_network):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    torch.manual_seed(0)
    model, _ = pretrained.load_pretrained("resnet18", num_classes=3, pretrained=False)
    model.eval()
    X = torch.randn(5, 3, 32, 32)
    feats = pretrained.extract_features(model, X, batch_size=2)
    assert feats.shape == (5, 512)
    with torch.no_grad():
        torch.testing.assert_close(model.fc(feats), model(X), rtol=1e-4, atol=1e-5)
    assert isinstance(model.fc, torch.nn.Linear)           # the head is back
    with pytest.raises(ValueError, match=r"extract_features: expected a float batch of images"):
        pretrained.extract_features(model, torch.randn(3, 32, 32))
