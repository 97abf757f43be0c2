# hang_exporter.pl N SECONDS: N exporters on 127.0.0.1 that answer one
# scrape and hang on every later one: each listens on a port of its own
# (printed one a line, then "ready"), serves its first request a small
# metrics page and closes, then reads each later request and never answers,
# holding the connection. Ends after SECONDS. perl-base only: no package to
# install.
use strict;
use warnings;
use Socket;
use IO::Select;

$| = 1;
$SIG{PIPE} = 'IGNORE';
my ($n, $secs) = @ARGV;
die "usage: hang_exporter.pl N SECONDS\n" unless defined $secs;
my $page = "# TYPE node_sockstat_TCP_inuse gauge\nnode_sockstat_TCP_inuse 1\n";
my (%first, %req, @held);
my $sel = IO::Select->new;
for (1 .. $n) {
	socket(my $l, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	setsockopt($l, SOL_SOCKET, SO_REUSEADDR, 1);
	bind($l, pack_sockaddr_in(0, inet_aton('127.0.0.1'))) or die "bind: $!\n";
	listen($l, 128) or die "listen: $!\n";
	my ($port) = unpack_sockaddr_in(getsockname($l));
	print "$port\n";
	$first{fileno($l)} = 1;
	$sel->add($l);
}
print "ready\n";
my $end = time + $secs;
my %lis = map { fileno($_) => $_ } $sel->handles;
while (time < $end) {
	for my $fh ($sel->can_read(0.5)) {
		if (exists $lis{fileno($fh)}) {
			accept(my $c, $fh) or next;
			# the first connection on this port is answered
			$req{fileno($c)} = [$c, delete $first{fileno($fh)} ? 1 : 0, ''];
			$sel->add($c);
			next;
		}
		my $r = $req{fileno($fh)};
		my $got = sysread($fh, my $buf, 4096);
		if (!$got) {
			$sel->remove($fh);
			delete $req{fileno($fh)};
			close($fh);
			next;
		}
		$r->[2] .= $buf;
		next unless $r->[2] =~ /\r\n\r\n/;
		$sel->remove($fh);
		delete $req{fileno($fh)};
		if ($r->[1]) {
			syswrite($fh, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" .
				"Content-Length: " . length($page) . "\r\nConnection: close\r\n\r\n$page");
			close($fh);
		} else {
			push @held, $fh; # read, never answered
		}
	}
}
