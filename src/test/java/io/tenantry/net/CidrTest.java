package io.tenantry.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void blocksContainTheirAddressesAndNoOthers() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        Cidr one = Cidr.parse("192.0.2.7");
        Cidr odd = Cidr.parse("172.16.0.0/12");
        Cidr v6 = Cidr.parse("fd00::/8");

        assertThat(ten.contains(IpAddress.parse("10.255.1.2").orElseThrow())).isTrue();
        assertThat(ten.contains(IpAddress.parse("11.0.0.1").orElseThrow())).isFalse();
        assertThat(one.contains(IpAddress.parse("192.0.2.7").orElseThrow())).isTrue();
        assertThat(one.contains(IpAddress.parse("192.0.2.8").orElseThrow())).isFalse();
        assertThat(odd.contains(IpAddress.parse("172.31.255.255").orElseThrow())).isTrue();
        assertThat(odd.contains(IpAddress.parse("172.32.0.0").orElseThrow())).isFalse();
        assertThat(v6.contains(IpAddress.parse("fd12:3456::1").orElseThrow())).isTrue();
        assertThat(v6.contains(IpAddress.parse("10.0.0.1").orElseThrow())).isFalse();
        assertThat(Cidr.parseList(" 10.0.0.0/8 , ::1 ")).hasSize(2);
        assertThat(Cidr.parseList("")).isEmpty();
    }

    @Test
    void onlyLiteralsAreAddressesAndNothingAsksDns() {
        assertThat(IpAddress.parse("localhost")).isEmpty();
        assertThat(IpAddress.parse("cafe")).isEmpty();
        assertThat(IpAddress.parse("256.1.1.1")).isEmpty();
        assertThat(IpAddress.parse("1.2.3")).isEmpty();
        assertThat(IpAddress.parse("[::1]")).isPresent();
        assertThat(IpAddress.parse("::ffff:192.0.2.1")).isPresent();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
    }
}
