# metrics_peer.pl MODE HOST PORT CONNS SECONDS [SRC...]: abusive peers of a
# --metrics endpoint: CONNS connections from the source addresses SRC
# (round robin; none: the kernel's choice), for SECONDS. MODE:
#   slowloris  each connection sends "GET /metrics HTTP/1.1" and a Host
#              line, then one more header line every 3 s, never the empty
#              line that ends the request; a connection the endpoint
#              closes is opened again 0.5 s later (an attacker keeps its
#              count up)
#   crowd      each connection sends one whole GET /metrics (keep-alive,
#              as Prometheus does) and stays open, reading what comes
# Prints one line:
#   conns N opened O served S refused R timedout T
# opened: connections made in all; served: answered "HTTP/1.1 200";
# refused: closed or reset by the endpoint before an answer (or a connect
# refused); timedout: a connect not done within 2 s, or (crowd) a request
# not answered within 2 s. perl-base only: no package to install.
use strict;
use warnings;
use Errno qw(EINPROGRESS EAGAIN);
use Socket;
use IO::Select;
use Time::HiRes qw(time);

$SIG{PIPE} = 'IGNORE';

my ($mode, $host, $port, $conns, $secs, @src) = @ARGV;
die "usage: metrics_peer.pl slowloris|crowd HOST PORT CONNS SECONDS [SRC...]\n"
	unless defined $secs && $mode =~ /^(slowloris|crowd)$/;

my ($opened, $served, $refused, $timedout) = (0, 0, 0, 0);
my (@fh, @phase, @since, @next, @buf);
my %idx;
my $end = time + $secs;

# open connection i (non-blocking connect from its source address)
sub open_conn {
	my ($i) = @_;
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	if (@src) {
		my $a = $src[$i % @src];
		bind($s, pack_sockaddr_in(0, inet_aton($a))) or die "bind $a: $!\n";
	}
	my $flags = fcntl($s, 3, 0);                       # F_GETFL
	fcntl($s, 4, $flags | 2048) or die "fcntl: $!\n";  # F_SETFL O_NONBLOCK
	$phase[$i] = 'closed';
	$since[$i] = time;
	if (!connect($s, pack_sockaddr_in($port, inet_aton($host))) && $! != EINPROGRESS) {
		$refused++;
		close($s);
		return;
	}
	$opened++;
	$fh[$i] = $s;
	$idx{fileno($s)} = $i;
	$phase[$i] = 'connecting';
	$buf[$i] = '';
}

sub close_conn {
	my ($i) = @_;
	delete $idx{fileno($fh[$i])};
	close($fh[$i]);
	$phase[$i] = 'closed';
	$since[$i] = time;
}

open_conn($_) for 0 .. $conns - 1;
while (time < $end) {
	my $now = time;
	my $rd = IO::Select->new;
	my $wr = IO::Select->new;
	for my $i (0 .. $conns - 1) {
		my $p = $phase[$i];
		if ($p eq 'closed') {
			open_conn($i) if $mode eq 'slowloris' && $now - $since[$i] >= 0.5;
			next;
		}
		if ($p eq 'connecting' || $p eq 'asked') {
			if ($now - $since[$i] > 2) {
				$timedout++;
				close_conn($i);
				next;
			}
		}
		if ($p eq 'connecting') {
			$wr->add($fh[$i]);
			next;
		}
		if ($p eq 'trickle' && $now >= $next[$i]) {
			syswrite($fh[$i], "X-Slow-$i: " . int($now) . "\r\n");
			$next[$i] = $now + 3;
		}
		$rd->add($fh[$i]);
	}
	my ($r, $w) = IO::Select->select($rd, $wr, undef, 0.1);
	for my $s (@{$w || []}) {
		my $i = $idx{fileno($s)};
		next unless defined $i;
		if (unpack('i', getsockopt($s, SOL_SOCKET, SO_ERROR))) {
			$refused++;
			close_conn($i);
			next;
		}
		$since[$i] = time;
		if ($mode eq 'slowloris') {
			syswrite($s, "GET /metrics HTTP/1.1\r\nHost: $host\r\n");
			$phase[$i] = 'trickle';
			$next[$i] = time + 3;
		} else {
			syswrite($s, "GET /metrics HTTP/1.1\r\nHost: $host\r\n\r\n");
			$phase[$i] = 'asked';
		}
	}
	for my $s (@{$r || []}) {
		my $i = $idx{fileno($s)};
		next unless defined $i;
		my $n = sysread($s, my $data, 65536);
		next if !defined $n && $! == EAGAIN;
		if (!$n) { # closed or reset
			$refused++ if $phase[$i] ne 'answered';
			close_conn($i);
			next;
		}
		next if $phase[$i] ne 'asked';
		$buf[$i] .= $data;
		next if length($buf[$i]) < 12;
		$served++ if substr($buf[$i], 0, 12) eq 'HTTP/1.1 200';
		$phase[$i] = 'answered';
		$buf[$i] = '';
	}
}
print "conns $conns opened $opened served $served refused $refused timedout $timedout\n";
