package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendTest {
    private static Backend id(String id) {
        return Backend.fromId(id);
    }

    @Test
    void choicesAreNamesAliasesBothAllAndCommaLists() {
        assertThat(Backend.parseChoice("both")).containsExactly(id("qemu"), id("docker"));
        assertThat(Backend.parseChoice("all")).containsExactly(Backend.values());
        assertThat(Backend.parseChoice("native")).containsExactly(id("native"));
        assertThat(Backend.parseChoice("qemu, native,gvisor")).containsExactly(id("qemu"), id("native"), id("gvisor"));
        assertThat(Backend.parseChoice("both,docker,gvisor")).as("duplicates dropped, order kept")
                .containsExactly(id("qemu"), id("docker"), id("gvisor"));
        assertThat(Backend.parseChoice("unikernels")).containsExactly(id("qemu"));
        assertThat(Backend.parseChoice("containers")).containsExactly(id("docker"));
    }

    @Test
    void anUnknownBackendIsOneLineListingTheKnownOnes() {
        assertThatThrownBy(() -> Backend.parseChoice("qemu,xen")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown backend 'xen' (known: qemu, docker, gvisor, native, libvirt;")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Backend.parseChoice("")).isInstanceOf(UsageException.class);
    }

    @Test
    void theIdIsWhatUsersTypeAndRecordsCarry() {
        for (Backend b : Backend.values()) {
            assertThat(Backend.fromId(b.id())).isEqualTo(b);
            assertThat(b.toString()).isEqualTo(b.id());
            assertThat(Backend.parseChoice(b.id())).containsExactly(b);
        }
        assertThat(List.of(Backend.values()).stream().map(Backend::id)).contains("native");
    }
}
