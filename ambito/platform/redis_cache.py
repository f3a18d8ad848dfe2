"""Django's Redis cache backend, with an atomic `incr` and without the memcached key checks.

`BaseCache.validate_key` scans every key, character by character, for what memcached
refuses (over 250 characters, spaces, control characters) and warns: Redis takes any
key, and Zonale's are short hashes. A user of 200 Ambiti reads ~400 keys per request,
whose checks cost more than the reading of the generations itself.

Django's `incr` asks whether the key exists, then increments it: two round trips, and a
key that expires between them comes back from INCR as a new counter that never expires
(a rate limit that would never reset, ambito/platform/api/throttling.py). Here both
steps are one script, run by Redis at once.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

# The counter's new value, or nothing when the key does not exist.
INCR_SE_ESISTE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class RedisCache(DjangoRedisCache):
    def validate_key(self, key):
        pass

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        valore = client.eval(INCR_SE_ESISTE, 1, key, delta)
        if valore is None:
            raise ValueError(f"Key '{key}' not found.")
        return valore
