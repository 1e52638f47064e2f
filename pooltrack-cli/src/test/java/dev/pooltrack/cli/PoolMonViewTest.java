package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolType;
import dev.pooltrack.report.PoolMonOptions.Sort;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class PoolMonViewTest {

    @Test
    void initial_isPoolMonsStart() {
        PoolMonView v = PoolMonView.initial();

        assertThat(v.sort()).isEqualTo(Sort.TAG);
        assertThat(v.byChange()).isFalse();
        assertThat(v.pools()).containsExactlyInAnyOrder(PoolType.NON_PAGED, PoolType.PAGED);
        assertThat(v.totals()).isFalse();
        assertThat(v.highlight()).isTrue();
        assertThat(v.help()).isFalse();
    }

    @Test
    void key_sortLetters_chooseTheSortAndKeepByChange() {
        PoolMonView v = PoolMonView.initial().key('(');

        assertThat(v.key('a').sort()).isEqualTo(Sort.ALLOCS);
        assertThat(v.key('f').sort()).isEqualTo(Sort.FREES);
        assertThat(v.key('d').sort()).isEqualTo(Sort.DIFF);
        assertThat(v.key('b').sort()).isEqualTo(Sort.BYTES);
        assertThat(v.key('M').sort()).isEqualTo(Sort.PER_ALLOC);
        assertThat(v.key('b').key('t').sort()).isEqualTo(Sort.TAG);
        assertThat(v.key('b').byChange()).isTrue();
    }

    @Test
    void key_parentheses_toggleSortByChange() {
        assertThat(PoolMonView.initial().key('(').byChange()).isTrue();
        assertThat(PoolMonView.initial().key('(').key(')').byChange()).isFalse();
    }

    @Test
    void key_p_cyclesNonPagedPagedBoth() {
        PoolMonView v = PoolMonView.initial().key('p');
        assertThat(v.pools()).containsExactly(PoolType.NON_PAGED);
        v = v.key('p');
        assertThat(v.pools()).containsExactly(PoolType.PAGED);
        v = v.key('p');
        assertThat(v.pools()).isEqualTo(EnumSet.allOf(PoolType.class));
    }

    @Test
    void key_eAndL_toggleTotalsAndHighlighting() {
        assertThat(PoolMonView.initial().key('e').totals()).isTrue();
        assertThat(PoolMonView.initial().key('e').key('e').totals()).isFalse();
        assertThat(PoolMonView.initial().key('l').highlight()).isFalse();
        assertThat(PoolMonView.initial().key('l').key('l').highlight()).isTrue();
    }

    @Test
    void key_whileHelpIsShown_onlyClosesTheHelp() {
        PoolMonView help = PoolMonView.initial().key('?');

        assertThat(help.help()).isTrue();
        PoolMonView after = help.key('b');
        assertThat(after.help()).isFalse();
        assertThat(after.sort()).isEqualTo(Sort.TAG);
    }

    @Test
    void key_unknown_changesNothing() {
        PoolMonView v = PoolMonView.initial();

        assertThat(v.key('z')).isSameAs(v);
        assertThat(v.key('\n')).isSameAs(v);
    }

    @Test
    void quits_qAndEscape() {
        assertThat(PoolMonView.quits('q')).isTrue();
        assertThat(PoolMonView.quits('Q')).isTrue();
        assertThat(PoolMonView.quits(27)).isTrue();
        assertThat(PoolMonView.quits('x')).isFalse();
    }
}
