# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away PKI for the simulators: a test CA, a good server certificate and the bad ones clients must reject."""

import datetime
import ipaddress
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GOOD_NAMES = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Pki:
    """Paths of the generated PEM files; every ``*_key`` is an unencrypted private key."""

    directory: str
    ca_cert: str  # the test CA clients are told to trust
    ca_key: str
    server_cert: str  # signed by the CA for 127.0.0.1, ::1 and localhost
    server_key: str
    other_ca_cert: str  # an unrelated CA: trusting it instead must fail verification
    wronghost_cert: str  # signed by the CA, but only for wrong.example
    wronghost_key: str
    expired_cert: str  # signed by the CA for 127.0.0.1, notAfter in the past
    expired_key: str
    selfsigned_cert: str  # self-signed for 127.0.0.1 (and localhost); valid only if trusted directly
    selfsigned_key: str

    def as_dict(self):
        return asdict(self)


_FILES = {
    "ca_cert": "ca.pem",
    "ca_key": "ca.key",
    "server_cert": "server.pem",
    "server_key": "server.key",
    "other_ca_cert": "other_ca.pem",
    "wronghost_cert": "wronghost.pem",
    "wronghost_key": "wronghost.key",
    "expired_cert": "expired.pem",
    "expired_key": "expired.key",
    "selfsigned_cert": "selfsigned.pem",
    "selfsigned_key": "selfsigned.key",
}


def make_pki(directory):
    """Create (or reuse, if every file is already there) the test PKI in ``directory`` and return its paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pki = Pki(directory=str(directory), **{name: str(directory / file) for name, file in _FILES.items()})
    if all(os.path.exists(path) for path in pki.as_dict().values()):
        return pki

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, ca_cert = _make_ca("sessionkit test CA", now)
    _other_ca_key, other_ca_cert = _make_ca("sessionkit unrelated CA", now)

    server_key = _new_key()
    server_cert = _make_leaf(server_key, "127.0.0.1", GOOD_NAMES, ca_cert, ca_key, now)
    wrong_key = _new_key()
    wrong_cert = _make_leaf(wrong_key, "wrong.example", ["wrong.example"], ca_cert, ca_key, now)
    expired_key = _new_key()
    expired_cert = _make_leaf(expired_key, "127.0.0.1", ["127.0.0.1"], ca_cert, ca_key, now,
                              not_before=now - datetime.timedelta(days=60), not_after=now - datetime.timedelta(days=1))
    self_key = _new_key()
    self_cert = _make_leaf(self_key, "127.0.0.1", ["127.0.0.1", "localhost"], None, self_key, now)

    # Keys first and the CA certificate last, so a half-finished run is never mistaken for a complete one.
    _write(pki.ca_key, _key_pem(ca_key), private=True)
    _write(pki.server_key, _key_pem(server_key), private=True)
    _write(pki.server_cert, _cert_pem(server_cert))
    _write(pki.other_ca_cert, _cert_pem(other_ca_cert))
    _write(pki.wronghost_key, _key_pem(wrong_key), private=True)
    _write(pki.wronghost_cert, _cert_pem(wrong_cert))
    _write(pki.expired_key, _key_pem(expired_key), private=True)
    _write(pki.expired_cert, _cert_pem(expired_cert))
    _write(pki.selfsigned_key, _key_pem(self_key), private=True)
    _write(pki.selfsigned_cert, _cert_pem(self_cert))
    _write(pki.ca_cert, _cert_pem(ca_cert))
    return pki


def _new_key():
    # P-256: fast to generate and accepted by every TLS stack the tests use.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sessionkit tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _make_ca(common_name, now):
    key = _new_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    # Critical basicConstraints, keyUsage and the key identifiers keep Python 3.13's VERIFY_X509_STRICT default happy.
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _san(names):
    entries = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _make_leaf(key, common_name, names, ca_cert, ca_key, now, not_before=None, not_after=None):
    """A TLS server certificate; ``ca_cert`` None makes it self-signed with ``ca_key`` (= ``key``)."""
    issuer = ca_cert.subject if ca_cert is not None else _name(common_name)
    issuer_public = ca_cert.public_key() if ca_cert is not None else key.public_key()
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - datetime.timedelta(days=1))
            .not_valid_after(not_after or now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_san(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path, data, private=False):
    # Write beside the target and rename, so a concurrent reader never sees half a file.
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
