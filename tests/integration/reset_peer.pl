# reset_peer.pl batch|each PORT N: N connections to 127.0.0.1:PORT that send
# 5 bytes and reset (close with SO_LINGER 0). batch: connect all N, then send
# on each, then reset each; each: connect, send and reset one after the
# other. A server must count every one closed, reset, and none held.
# perl-base only: no package to install.
use strict;
use warnings;
use Socket;

my ($mode, $port, $n) = @ARGV;
die "usage: reset_peer.pl batch|each PORT N\n" unless defined $n && $mode =~ /^(batch|each)$/;
my $to = pack_sockaddr_in($port, inet_aton('127.0.0.1'));

sub conn {
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
	connect($s, $to) or die "connect 127.0.0.1:$port: $!\n";
	return $s;
}
sub reset_it {
	setsockopt($_[0], SOL_SOCKET, SO_LINGER, pack('ii', 1, 0)) or die "SO_LINGER: $!\n";
	close($_[0]);
}

if ($mode eq 'batch') {
	my @s = map { conn() } 1 .. $n;
	send($_, 'hello', 0) for @s;
	reset_it($_) for @s;
} else {
	for (1 .. $n) {
		my $s = conn();
		send($s, 'hello', 0);
		reset_it($s);
	}
}
