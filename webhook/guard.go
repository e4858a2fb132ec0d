package webhook

import (
	"fmt"
	"net/netip"
	"syscall"
)

// RefusedError is a delivery the guard kept from a private address.
type RefusedError struct {
	Addr netip.Addr
	Kind string // loopback, private, link-local, …
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("webhook address %s is private; start the server with --allow-private-webhooks to allow it", e.Addr)
}

// Networks no webhook may reach unless private addresses are allowed,
// besides what netip classifies (loopback, private, link-local,
// unspecified, multicast).
var refused = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("100::/64"), "discard"},
}

// Prefixes that carry an IPv4 address, judged by that address: NAT64,
// 6to4 and the deprecated IPv4-compatible form (::a.b.c.d).
var embedding = []struct {
	prefix netip.Prefix
	at     int // the byte the IPv4 address starts at
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12},
	{netip.MustParsePrefix("2002::/16"), 2},
	{netip.MustParsePrefix("::/96"), 12},
}

// CheckAddr refuses an address that is not on the public Internet.
func CheckAddr(ip netip.Addr) error {
	ip = ip.WithZone("").Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if kind := classify(ip); kind != "" {
		return &RefusedError{Addr: ip, Kind: kind}
	}
	if ip.Is6() {
		b := ip.As16()
		for _, e := range embedding {
			if e.prefix.Contains(ip) {
				v4 := netip.AddrFrom4([4]byte(b[e.at : e.at+4]))
				if kind := classify(v4); kind != "" {
					return &RefusedError{Addr: ip, Kind: kind + " (embedded " + v4.String() + ")"}
				}
			}
		}
	}
	return nil
}

func classify(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsMulticast():
		return "multicast"
	}
	for _, r := range refused {
		if r.prefix.Contains(ip) {
			return r.kind
		}
	}
	return ""
}

// Control is a net.Dialer Control function that refuses private addresses
// unless allowPrivate. It runs on the address being connected to, after
// name resolution, so that neither a hostname resolving to 127.0.0.1 nor
// a DNS answer changed between a check and the connection gets through.
func Control(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook address %q cannot be checked: %w", address, err)
		}
		return CheckAddr(ap.Addr())
	}
}
