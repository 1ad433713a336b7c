clx_test(test_sched)
