"""Django's Redis cache backend without the memcached key checks.

`BaseCache.validate_key` scans every key, character by character, for what memcached
refuses (over 250 characters, spaces, control characters) and warns: Redis takes any
key, and Zonale's are short hashes. A user of 200 Ambiti reads ~400 keys per request,
whose checks cost more than the reading of the generations itself.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def validate_key(self, key):
        pass
