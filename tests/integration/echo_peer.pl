# echo_peer.pl MODE HOST PORT CONNS BYTES: peers that an echo server must
# not lose bytes to. Each of CONNS connections sends BYTES of a pattern of
# its own (a different phase per connection, so bytes crossed between
# connections show), with a small receive buffer (SO_RCVBUF 8 KiB), reading
# nothing while it sends, so the server's writes block early. Then:
#   halfclose  shutdown(SHUT_WR) and read until the server closes: the end
#              of file reaches the server while its send buffer is full,
#              and an echo server that takes it for the end of the
#              connection loses what it had not written back yet
#   reset      wait 1 s, then close with SO_LINGER 0 (a reset): what the
#              server read and had not written back is lost, and counted
#   stay       stay connected without reading for 3 s, then close
# A connection whose writes stall for 2 s reads from then on (halfclose) or
# stops sending (reset, stay), so nothing deadlocks. Bounded: 60 s at most.
# Prints one line:
#   conns N sent S back B intact M
# where intact counts connections that got back exactly what they sent, in
# order, and then the server's close (halfclose only). perl-base only: no
# package to install.
use strict;
use warnings;
use Errno qw(EAGAIN);
use Socket;
use IO::Select;

$SIG{PIPE} = 'IGNORE'; # a server that closes early shows in the counts

my ($mode, $host, $port, $conns, $bytes) = @ARGV;
die "usage: echo_peer.pl halfclose|reset|stay HOST PORT CONNS BYTES\n"
	unless defined $bytes && $mode =~ /^(halfclose|reset|stay)$/;

my $big = join('', map { chr($_ % 251) } 0 .. 65535 + 251);
$big = $big x (int($bytes / 65536) + 2);
my (@fh, @want, @off, @got, @done, @moved);
my $sel_r = IO::Select->new;
my $sel_w = IO::Select->new;
my %idx;

for my $i (0 .. $conns - 1) {
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	setsockopt($s, SOL_SOCKET, SO_RCVBUF, 8192) or die "SO_RCVBUF: $!\n";
	connect($s, pack_sockaddr_in($port, inet_aton($host))) or die "connect $host:$port: $!\n";
	my $flags = fcntl($s, 3, 0);                       # F_GETFL
	fcntl($s, 4, $flags | 2048) or die "fcntl: $!\n";  # F_SETFL O_NONBLOCK
	$fh[$i] = $s;
	$want[$i] = substr($big, $i % 251, $bytes);
	$off[$i] = 0;
	$got[$i] = '';
	$done[$i] = 0;
	$moved[$i] = time;
	$idx{fileno($s)} = $i;
	$sel_w->add($s);
}

my $deadline = time + 60;
my $open = $conns;
# sending (and, for halfclose, reading until the server closes)
while ($open > 0 && time < $deadline) {
	my $now = time;
	for my $i (0 .. $conns - 1) {
		next if $done[$i] || $now - $moved[$i] < 2 || !$sel_w->exists($fh[$i]);
		if ($mode eq 'halfclose') { # stalled: read, or neither side moves
			$sel_r->add($fh[$i]);
		} else {                    # stalled: send no more
			$sel_w->remove($fh[$i]);
			$done[$i] = 1;
			$open--;
		}
	}
	my ($r, $w) = IO::Select->select($sel_r, $sel_w, undef, 0.01);
	for my $s (@{$w || []}) {
		my $i = $idx{fileno($s)};
		my $n = syswrite($s, $want[$i], 65536, $off[$i]);
		if (!defined $n) {
			next if $! == EAGAIN;
			$sel_w->remove($s); # the server closed or reset: not intact
			$sel_r->remove($s);
			$done[$i] = -1;
			$open--;
			next;
		}
		$off[$i] += $n;
		$moved[$i] = $now;
		next if $off[$i] < $bytes;
		$sel_w->remove($s);
		if ($mode eq 'halfclose') {
			shutdown($s, 1);    # SHUT_WR: the half-close
			$sel_r->add($s);
		} else {
			$done[$i] = 1;
			$open--;
		}
	}
	for my $s (@{$r || []}) {
		my $i = $idx{fileno($s)};
		my $n = sysread($s, my $buf, 65536);
		next if !defined $n && $! == EAGAIN;
		if (!$n) {                  # the server closed (or reset): done
			$sel_r->remove($s);
			$sel_w->remove($s);
			$done[$i] = 1;
			$open--;
			next;
		}
		$got[$i] .= $buf;
	}
}
if ($mode eq 'reset') {
	select(undef, undef, undef, 1);
	setsockopt($_, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0)) for @fh;
} elsif ($mode eq 'stay') {
	select(undef, undef, undef, 3);
}
close($_) for @fh;

my ($sent, $back, $intact) = (0, 0, 0);
for my $i (0 .. $conns - 1) {
	$sent += $off[$i];
	$back += length($got[$i]);
	$intact++ if $mode eq 'halfclose' && $done[$i] == 1 && $got[$i] eq $want[$i];
}
print "conns $conns sent $sent back $back intact $intact\n";
