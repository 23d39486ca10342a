"""A signed-in HTTP session against a server the benchmarks start (sign-in form with its CSRF token)."""
import re

import requests


def signed_in(base: str, name: str, password: str) -> requests.Session:
    """A requests session signed in as ``name`` at ``base``."""
    http = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(base + "/login").text).group(1)
    assert http.post(base + "/login", data={"csrf_token": token, "name": name, "password": password},
                     allow_redirects=False).status_code == 302
    return http
