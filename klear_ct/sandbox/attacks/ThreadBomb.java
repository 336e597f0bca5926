// "bomb": start sleeping threads until refused, then wait; "after": the next run must still start threads.
import java.util.Scanner;

public class ThreadBomb {
    public static void main(String[] args) throws InterruptedException {
        String mode = new Scanner(System.in).next();
        Runnable idle = () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        };
        if (mode.equals("bomb")) {
            int started = 0;
            while (started < 100_000) {
                Thread t = new Thread(idle);
                t.setDaemon(true);
                t.start();
                started++;
            }
            System.out.println(started + " threads");
            Thread.sleep(60_000);
            return;
        }
        for (int k = 0; k < 8; k++) {
            Thread t = new Thread(idle);
            t.setDaemon(true);
            try {
                t.start();
            } catch (OutOfMemoryError e) {
                System.out.println("NOTHREAD after " + k + " threads: " + e.getMessage());
                return;
            }
        }
        System.out.println("started 8 threads");
    }
}
