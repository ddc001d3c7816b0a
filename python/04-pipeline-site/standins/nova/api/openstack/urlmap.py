"""A STAND-IN for nova.api.openstack.urlmap: Paste's urlmap, which reads
its options as nova's does (nova's also picks an API version by header)."""
import tutorial

urlmap_factory = tutorial.urlmap_composite
