// A busy loop that would run for hours, in the main thread and in three more.
public class Spin {
    static volatile long sink;

    public static void main(String[] args) {
        Runnable spin = () -> {
            for (long i = 0; i < 1L << 50; i++) sink += i;
        };
        for (int k = 0; k < 3; k++) new Thread(spin).start();
        spin.run();
    }
}
