"""Our WeCom crypto against WeCom's published sample vectors, hand-computed signatures and wechatpy."""
from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.enterprise.crypto import WeChatCrypto

from rm_copilot.channels.wecom.crypto import InvalidSignature, WeComCrypto, WeComCryptoError, sign
from wecom_fakes import AES_KEY, CORP_ID, TOKEN

# WeCom's official WXBizMsgCrypt Python sample (Sample.py), 使用示例一 and 二.
SAMPLE_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
SAMPLE_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
SAMPLE_CORP = "ww1436e0e65a779aee"
SAMPLE_ECHO = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
SAMPLE_MSG = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew"
    "+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24Yhm"
    "ZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwo"
    "cugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
SAMPLE_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)


@pytest.fixture
def sample() -> WeComCrypto:
    return WeComCrypto(SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_CORP)


def test_signature_is_sha1_of_the_four_strings_sorted_and_concatenated():
    # sorted: "1476416373" < "47744683" < "fsi1..." < "hJqc..." (digits before letters)
    joined = "1476416373" + "47744683" + SAMPLE_ECHO + SAMPLE_TOKEN
    assert sign(SAMPLE_TOKEN, "1476416373", "47744683", SAMPLE_ECHO) == hashlib.sha1(joined.encode()).hexdigest()
    assert sign(SAMPLE_TOKEN, "1476416373", "47744683", SAMPLE_ECHO) == "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"


def test_published_url_verification_sample_decrypts(sample: WeComCrypto):
    echo = sample.decrypt_verified("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683", SAMPLE_ECHO)

    assert echo == "1288432023552776189"


def test_published_message_sample_decrypts(sample: WeComCrypto):
    plain = sample.decrypt_verified("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", SAMPLE_MSG)

    assert plain == SAMPLE_PLAIN


def test_encryption_layout_is_prefix_length_message_receive_id_padded_to_32():
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    message = "你好，WeCom"

    encrypted = crypto.encrypt(message, random_prefix=b"0123456789abcdef")

    key = base64.b64decode(AES_KEY + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    body = message.encode()
    unpadded = b"0123456789abcdef" + struct.pack(">I", len(body)) + body + CORP_ID.encode()
    pad = 32 - len(unpadded) % 32
    assert plain == unpadded + bytes([pad]) * pad


@pytest.mark.parametrize("message", ["", "a", "你好", "x" * 31, "y" * 32, "长消息。" * 500])
def test_wechatpy_decrypts_what_we_encrypt_and_we_decrypt_what_it_encrypts(message: str):
    ours = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    theirs = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    nonce, timestamp = "nonce42", "1763900000"

    our_xml = (
        f"<xml><Encrypt>{ours.encrypt(message)}</Encrypt></xml>"
    )
    encrypted = our_xml[len("<xml><Encrypt>"):-len("</Encrypt></xml>")]
    assert theirs.decrypt_message(our_xml, ours.signature(timestamp, nonce, encrypted), timestamp, nonce) == message

    their_envelope = theirs.encrypt_message(message, nonce, timestamp)
    their_encrypted = their_envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    their_signature = their_envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert ours.decrypt_verified(their_signature, timestamp, nonce, their_encrypted) == message


@pytest.mark.parametrize("signature", ["0" * 40, "", "签名" * 20, "\x18\U000c1a9c"])
def test_wrong_signature_raises_invalid_signature(sample: WeComCrypto, signature: str):
    with pytest.raises(InvalidSignature):
        sample.decrypt_verified(signature, "1476416373", "47744683", SAMPLE_ECHO)


def test_tampered_timestamp_invalidates_the_signature(sample: WeComCrypto):
    with pytest.raises(InvalidSignature):
        sample.verify("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416374", "47744683", SAMPLE_ECHO)


def test_message_for_another_receiver_is_refused():
    crypto = WeComCrypto(SAMPLE_TOKEN, SAMPLE_KEY, "wwSomebodyElse")

    with pytest.raises(WeComCryptoError, match="receive id"):
        crypto.decrypt(SAMPLE_ECHO)


@pytest.mark.parametrize(
    "ciphertext",
    [
        "not base64!",  # not base64
        base64.b64encode(b"short").decode(),  # not a whole AES block
        base64.b64encode(b"\x00" * 32).decode(),  # decrypts to garbage padding
        "",  # empty
    ],
)
def test_malformed_ciphertext_raises_a_crypto_error(sample: WeComCrypto, ciphertext: str):
    with pytest.raises(WeComCryptoError):
        sample.decrypt(ciphertext)


@pytest.mark.parametrize("key", ["short", "!" * 43, AES_KEY[:-1] + "@"])
def test_bad_encoding_aes_key_is_rejected_at_construction(key: str):
    with pytest.raises(ValueError):
        WeComCrypto(TOKEN, key, CORP_ID)
