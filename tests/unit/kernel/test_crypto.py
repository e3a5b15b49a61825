"""Free text encrypted at rest: round trip, binding, rotation."""

import pytest

from rapidreview.kernel.crypto import DecryptionError, FieldCipher, KeyRing


def test_round_trip_and_ciphertext_hides_the_text():
    ring = KeyRing.generate()
    token = ring.encrypt("bruise on the ear", "return:1:summary")
    assert "bruise" not in token
    assert ring.decrypt(token, "return:1:summary") == "bruise on the ear"


def test_ciphertext_moved_to_another_row_does_not_decrypt():
    ring = KeyRing.generate()
    token = ring.encrypt("text", "incident:a:harm_description")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, "incident:b:harm_description")


def test_rotation_keeps_old_ciphertexts_readable_and_reencrypt_moves_them(tmp_path):
    ring = KeyRing.generate("k1")
    old = ring.encrypt("text", "x")
    rotated = ring.rotated("k2")
    assert rotated.decrypt(old, "x") == "text"
    moved = rotated.reencrypt(old, "x")
    assert rotated.key_id_of(moved) == "k2" and rotated.decrypt(moved, "x") == "text"
    path = tmp_path / "keys.json"
    rotated.save(path)
    assert KeyRing.from_file(path).decrypt(moved, "x") == "text"


def test_blind_index_is_stable_and_keyed():
    ring = KeyRing.generate()
    cipher = FieldCipher(ring)
    assert cipher.blind_index("Child K", "p") == cipher.blind_index("Child K", "p")
    assert cipher.blind_index("Child K", "p") != FieldCipher(KeyRing.generate()).blind_index("Child K", "p")
