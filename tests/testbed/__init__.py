"""DNS test bed for dane-smime (standard library only); see testbed.py."""
from .testbed import (Testbed, SilentResolver, TestbedError, owner_name,
                      free_port, repo_root, host_binary, idna_domain,
                      ZONE_NOTES, COMBO_ADDRESSES, TRUST_CERTS, spki_of)
