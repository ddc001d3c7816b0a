"""A STAND-IN for nova, which Debian does not package: only the FaultWrapper
that step 04's shipped config names, ported in nova/api/openstack."""
