"""`RM_COPILOT_CHROMA_URL` against a real `chroma run` server started for this module."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rm_copilot.config import Settings
from rm_copilot.knowledge.documents import load_documents
from rm_copilot.knowledge.index import KnowledgeIndex, make_chroma_client
from rm_copilot.knowledge.retriever import HybridRetriever
from rm_copilot.knowledge.tokenizer import DEFAULT_LEXICON_DIR, get_lexicon

CHROMA = Path(sys.executable).with_name("chroma")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMA.exists() and not shutil.which("chroma"), reason="chroma CLI not installed"),
]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(CHROMA if CHROMA.exists() else shutil.which("chroma")), "run", "--path", str(data), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma server did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_index_over_http_syncs_incrementally_and_serves_search(chroma_url, kb_dir, fake_embeddings, tmp_path):
    settings = Settings(home=tmp_path / "home", chroma_url=chroma_url)
    index = KnowledgeIndex(make_chroma_client(url=settings.chroma_url, path=settings.chroma_path), fake_embeddings,
                           collection_name="http_test")

    first = index.sync(load_documents(kb_dir))
    fake_embeddings.embedded.clear()
    second = index.sync(load_documents(kb_dir))

    assert first.added > 0 and second.embedded == 0 and fake_embeddings.embedded == []
    assert not settings.chroma_path.exists()  # nothing written locally
    reopened = KnowledgeIndex(make_chroma_client(url=settings.chroma_url, path=settings.chroma_path), fake_embeddings,
                              collection_name="http_test")
    assert len(reopened.chunks()) == first.added
    hits = HybridRetriever.from_index(reopened, lexicon=get_lexicon(DEFAULT_LEXICON_DIR)).search("大存提前支取", k=1)
    assert hits[0].chunk.doc_id == "products/deposit/DP901"
